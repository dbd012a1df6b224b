#!/usr/bin/python3
"""Peer baseline for the CSV benchmark: pandas.read_csv (C engine) on a file;
prints seconds and MB/s in the same form as bench-csv.

usage: /usr/bin/python3 tests/bench/peer_pandas_csv.py FILE.csv
"""
import os
import resource
import sys
import time

import pandas as pd

path = sys.argv[1]
size_mb = os.path.getsize(path) / 1e6
start = time.perf_counter()
frame = pd.read_csv(path)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("pandas rows=%d cols=%d seconds=%.3f MB_per_s=%.1f peak_rss_MB=%.1f"
      % (frame.shape[0], frame.shape[1], seconds, size_mb / seconds, peak))
