topology() { :; }
