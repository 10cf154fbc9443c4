"""The re-generation check: would the model write this code again? Stability and outliers of AI hunks."""
