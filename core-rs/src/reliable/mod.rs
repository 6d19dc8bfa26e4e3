//! reliable (to be written).
