"""The model layer: litellm calls with retries, budget, structured output, trace and replay."""
