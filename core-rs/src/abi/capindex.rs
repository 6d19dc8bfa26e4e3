//! extern "C" surface of crate::capindex (to be written).
