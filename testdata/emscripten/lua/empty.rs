//! Nothing: this package only fetches its dependency's sources.
