"""Every technical word the pages use, explained in one line for a 14-year-old: help tooltips and "What does this
mean?" boxes all read TERMS, so a word is explained the same way on every page."""

from __future__ import annotations

import streamlit as st

TERMS: dict[str, str] = {
    # The data
    "MNIST": "70,000 small pictures of handwritten digits, each labelled with the digit it shows: 60,000 to learn "
             "from and 10,000 kept aside for the test.",
    "training set": "The 60,000 images the network learns from.",
    "test set": "10,000 images the network never sees while it learns: its score on them shows how well it reads "
                "handwriting it has not seen before.",
    "pixel": "One tiny square of a picture. Here each one is a number from 0 (black) to 255 (white): a digit is "
             "28 x 28 = 784 numbers.",
    "mean image": "Every image of one digit averaged pixel by pixel: where most writers put ink.",
    "spread": "How much the pixel differs from one writer to the next (its standard deviation): bright where "
              "writers disagree.",
    "class balance": "How many images there are of each digit: a network learns less about a digit it rarely sees.",
    # Networks
    "model": "A neural network that has learnt from examples: here, to read the digit in a 28 x 28 picture.",
    "preset": "A ready-made network with its training settings, from a book or tutorial (or ours).",
    "dense layer": "A layer in which every unit is connected to every number coming in: each unit adds up all its "
                   "inputs, each multiplied by a weight it has learnt.",
    "units": "The small calculators of a dense layer: each turns all its inputs into one number.",
    "convolution": "A layer that slides small learnt patterns (filters, for example 3 x 3 pixels) over the image and "
                   "marks how well each spot matches: it finds strokes and corners wherever they are.",
    "CNN": "A convolutional neural network: one that starts with convolutions, so it looks for small shapes "
           "anywhere in the picture before it decides.",
    "filters": "The small grids of learnt weights a convolution slides over the image; each looks for one pattern "
               "and makes one feature map.",
    "kernel": "The size of a convolution's filters: 3 means 3 x 3 pixels.",
    "strides": "How many pixels a filter jumps at each step: 2 makes the output half as wide and half as high.",
    "padding": "'same' puts a border of zeros around the image so the output keeps its size; 'valid' adds none, "
               "so the output shrinks a little.",
    "pooling": "Shrinks each feature map to half its width and height by keeping the largest value of each "
               "2 x 2 square.",
    "feature map": "A convolution's output for one filter: a small picture, bright where the filter found its "
                   "pattern.",
    "batch norm": "Batch normalisation: rescales a layer's outputs in each batch so that they have a steady average "
                  "and spread; training is then faster and steadier.",
    "dropout": "During training, switches off a random share of the units at every step (0.2 = one in five), so "
               "the network cannot lean on a few of them: it helps against overfitting.",
    "activation": "What each unit does to its sum before passing it on. relu keeps positive numbers and turns "
                  "negative ones into 0; without it, stacked layers could only draw straight lines.",
    "head": "How the feature maps are handed to the last layers: 'flatten' lays all the maps out in one long row, "
            "'global-average' keeps one average per map.",
    "softmax": "The last step: turns the network's ten scores into ten probabilities, all positive, that add up to "
               "1 (100%).",
    "output shape": "The size of what a layer hands on: height x width x feature maps after a convolution, the "
                    "number of units after a dense layer.",
    "parameters": "The numbers a network learns: its weights and biases. More parameters can learn more, but need "
                  "more time, memory and examples.",
    # Training
    "training samples": "How many of the 60,000 training images to learn from: fewer train faster but learn less.",
    "epoch": "One pass over all the training images: 5 epochs means the network sees every image five times.",
    "batch size": "How many images the network looks at before it adjusts its weights once.",
    "learning rate": "How big a step the network takes each time it adjusts its weights: too big and it "
                     "overshoots, too small and it learns slowly.",
    "optimizer": "The method that adjusts the weights to make the loss smaller, step by step: Adam, RMSprop and SGD "
                 "are three ways of doing it.",
    "beta_1": "How much Adam remembers of the directions of its earlier steps (0.9: a long memory), so it keeps "
              "going where it was going.",
    "momentum": "For SGD: keeps part of the last step's direction, so the weights roll on like a ball instead of "
                "zig-zagging.",
    "schedule": "How the learning rate changes during training: 'constant' keeps it; 'one-cycle' raises it, then "
                "lowers it to almost nothing by the end; 'cosine' and 'exponential' lower it step by step.",
    "validation split": "The share of the training images kept aside while training, to check after every epoch "
                        "on images the network did not learn from.",
    "label smoothing": "Trains the network to be a little less than 100% sure of each answer (0.1: about 90%), so "
                       "it is less over-confident.",
    "augmentation": "Trains on copies of the images shifted, turned or zoomed at random, so the network learns that "
                    "a digit moved a little is still the same digit.",
    "loss": "A score of how wrong the model's probabilities are (cross-entropy): 0 when it gives the right digit "
            "100%. Training makes it smaller.",
    "accuracy": "The share of images the model reads correctly.",
    "validation": "The curves marked 'val' are measured on the validation images, which the network did not learn "
                  "from: they show how it does on new handwriting.",
    "overfitting": "When a model learns its training images by heart, accidents included, and does worse on new "
                   "ones: training accuracy keeps rising while validation accuracy stops or falls.",
    "run": "One training of a network in this session, kept with its results; save it to keep it for good.",
    # Evaluation
    "confusion matrix": "A table that counts, for each true digit (row), which digit the model read (column): the "
                        "diagonal holds the right answers, everything else is a mistake.",
    "precision": "Of the images the model read as this digit, the share that really are this digit.",
    "recall": "Of the images that really are this digit, the share the model read as this digit.",
    "f1": "One score made of precision and recall together (their harmonic mean): high only when both are high.",
    "images": "How many test images show this digit.",
    "confidence": "The probability the model gives to its answer: how sure it is, not whether it is right.",
    "cross-validation": "k-fold cross-validation: train the same network k times, each time keeping a different "
                        "slice of the training images aside to test on. The spread of the k scores shows how much "
                        "the result depends on the luck of the split.",
    "McNemar's test": "Looks only at the images on which the two models disagree and asks: if both were equally "
                      "good, how likely would a split this uneven be?",
    "p-value": "The chance of a difference at least this big by luck alone, if the two models were really equally "
               "good. Below 0.05 (5%), we say it is unlikely to be luck.",
    # Inside the network
    "Grad-CAM": "Colours the parts of the image that mattered most to the last convolution for the chosen digit: "
                "its feature maps, each weighted by how much it pushed toward that digit. Blurry, because those maps "
                "are small.",
    "integrated gradients": "Fades the image in from black, step by step, and adds up how much each pixel pushed "
                            "the answer toward the chosen digit on the way.",
    "last hidden layer": "The layer just before the ten scores: the network's own description of the image, as a "
                         "list of numbers.",
    "t-SNE": "A way to draw points that have many numbers each on a flat map, so that points close together stay "
             "close. Distances between groups far apart mean little.",
    "PCA": "Principal component analysis: flattens many numbers down to the two directions in which the points "
           "differ most, like the shadow of an object seen from its best side.",
    "nearest training images": "The training images whose description in the last hidden layer is closest to "
                               "your digit's: what it looks like to the model.",
    # The class's digits
    "fine-tune": "Train a model that has already learnt a little more, on new examples: here the class's own "
                 "handwriting.",
    "held out": "Kept aside and never used for training, so a score on them is fair.",
}


def meaning(term: str) -> str:
    """The one-line explanation of `term`, for a widget's or a metric's help tooltip."""
    return TERMS[term]


def explain(*terms: str, label: str = "What does this mean?") -> None:
    """A small closed box explaining `terms`, one line each, where they appear."""
    with st.expander(label, icon=":material/help:"):
        st.markdown("\n".join(f"- **{term}**: {TERMS[term]}" for term in terms))
