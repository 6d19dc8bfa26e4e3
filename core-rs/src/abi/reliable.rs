//! extern "C" surface of crate::reliable (to be written).
