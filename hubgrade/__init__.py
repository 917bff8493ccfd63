"""hubgrade: grade a learner's Node.js/Express server over HTTP."""

__version__ = "0.1.0"
