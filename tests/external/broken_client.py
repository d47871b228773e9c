#!/usr/bin/env python3
"""A deliberately broken external algorithm, one fault per mode, for the
fault tests of the line protocol (tests/test_external_algorithm.cpp):

  bad_json       writes a line that is not JSON during the first step
  exits          writes to stderr, then exits with status 3 at step 2
  hangs          starts a child (its pid written to args.pid_file) and
                 sleeps during the first step
  wrong_size     ends the first step with a state of the wrong shape
  non_finite     asks for log_prob_grad at a point with a null coordinate
  unknown_oracle asks a sampler's task for value_grad
  over_budget    asks for log_prob_grad again and again within one step
  version        answers the start message with protocol version 99
  error          reports an error of its own during the first step
  diverges       ends the first step with a null (non-finite) coordinate
  floods         writes to stderr without end during the first step
  non_utf8       writes bytes that are not UTF-8 to stderr, then exits 3
  long_unicode   writes a message of an unknown type whose quoted start,
                 cut at 200 bytes, splits a two-byte character
  two_per_step   makes two requests per step (the budget is crossed in
                 the middle of a step, which must still finish)
  hangs_at_3     sleeps during its third step, after two good ones
  bad_base64     asks with binary points whose "f64" is not base64
  binary_nan     asks with binary points holding a NaN
  short_frames   announces a frame of its points and writes only half of
                 it, then sleeps
  bad_frame      asks with points in frame 1 of a message of one frame
  bad_frame_bytes  announces a frame of 7 bytes

Otherwise it follows the protocol with gradient ascent on log pi.
"""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "python"))
import vibench_client as vc  # noqa: E402

MODE = sys.argv[1]


def main():
    channel = vc.Channel()
    start = channel.receive()
    channel.send({"type": "ready", "protocol": 99 if MODE == "version" else 1})
    x = start["initial"]
    steps = 0
    while True:
        message = channel.receive()
        if message["type"] == "stop":
            channel.send({"type": "final", "diagnostics": {}})
            return
        steps += 1
        if MODE == "bad_json":
            sys.stdout.write("{this is not json\n")
            sys.stdout.flush()
        elif MODE == "exits" and steps == 2:
            print("broken_client: giving up at step 2", file=sys.stderr)
            sys.exit(3)
        elif MODE == "hangs":
            child = subprocess.Popen(["sleep", "1000"])
            with open(start["params"]["pid_file"], "w") as handle:
                handle.write(f"{os.getpid()} {child.pid}\n")
            time.sleep(1000)
        elif MODE == "hangs_at_3" and steps == 3:
            time.sleep(1000)
        elif MODE == "wrong_size":
            channel.send({"type": "state", "points": x[:-1]})
            continue
        elif MODE == "non_finite":
            channel.send({"type": "request", "oracle": "log_prob_grad",
                          "points": [[None] + row[1:] for row in x]})
        elif MODE == "unknown_oracle":
            channel.send({"type": "request", "oracle": "value_grad",
                          "points": x})
        elif MODE == "over_budget":
            while True:
                channel.send({"type": "request", "oracle": "log_prob_grad",
                              "points": x})
                channel.receive()
        elif MODE == "error":
            channel.error("my_code", "the step size is too large")
        elif MODE == "floods":
            while True:
                sys.stderr.write("flood " * 100 + "\n")
        elif MODE == "non_utf8":
            sys.stderr.buffer.write(b"bad bytes \xff\xfe and a cut \xc3\n")
            sys.stderr.flush()
            sys.exit(3)
        elif MODE == "long_unicode":
            channel.send({"type": "hello", "text": "\u03b7" * 300})
        elif MODE == "two_per_step":
            channel.send({"type": "request", "oracle": "log_prob_grad",
                          "points": x})
            channel.receive()
        elif MODE == "bad_base64":
            channel.send({"type": "request", "oracle": "log_prob_grad",
                          "points": {"shape": [len(x), len(x[0])],
                                     "f64": "not base64!"}})
        elif MODE == "binary_nan":
            points = vc._array(x)
            points[0, 0] = float("nan")
            channel.send({"type": "request", "oracle": "log_prob_grad",
                          "points": vc._binary(points)})
        elif MODE in ("short_frames", "bad_frame", "bad_frame_bytes"):
            data = vc._array(x).astype("<f8").tobytes()
            sizes = {"short_frames": [len(data)], "bad_frame": [len(data)],
                     "bad_frame_bytes": [7]}[MODE]
            points = {"shape": [len(x), len(x[0])],
                      "frame": 1 if MODE == "bad_frame" else 0}
            line = vc.json.dumps({"type": "request", "oracle": "log_prob_grad",
                                  "points": points, "frame_bytes": sizes})
            frames = data[:len(data) // 2] if MODE == "short_frames" else (
                data[:7] if MODE == "bad_frame_bytes" else data)
            sys.stdout.buffer.write(line.encode() + b"\n" + frames)
            sys.stdout.buffer.flush()
            time.sleep(1000)
        elif MODE == "diverges":
            channel.send({"type": "state",
                          "points": [[None] + row[1:] for row in x]})
            continue
        channel.send({"type": "request", "oracle": "log_prob_grad",
                      "points": x})
        reply = channel.receive()
        x = [[xi + 0.01 * gi for xi, gi in zip(row, grad)]
             for row, grad in zip(x, reply["grad"])]
        channel.send({"type": "state", "points": x})


if __name__ == "__main__":
    main()
