"""Code that runs inside the sandbox. Imports the standard library and NumPy only."""
