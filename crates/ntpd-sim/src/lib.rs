//! Mode 6 simulator.
