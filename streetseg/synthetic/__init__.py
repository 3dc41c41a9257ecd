"""The synthetic street scenes behind the demo stage (see streetseg.demo)."""
