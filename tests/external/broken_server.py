#!/usr/bin/env python3
"""A deliberately broken served density, one fault per mode, for the fault
tests of the serving role (tests/test_served_tasks.cpp). Served density:
N(0, I) in the task's dimension.

  exits          writes to stderr, then exits with status 3 at the second
                 request
  hangs          sleeps at the first request
  hangs_at_3     sleeps at the third request, after two good replies
  hangs_at_4     sleeps at the fourth request, after three good replies
  bad_json       answers the first request with a line that is not JSON
  wrong_size     answers log_prob_grad with one gradient row too few
  version        answers the start message with protocol version 99
  wrong_dim      declares one dimension more than it was started with
  no_hessian     does not offer log_prob_hessian_vector
  error          reports an error of its own at the first request
  not_reply      answers the first request with a message of another type
  bad_frame      answers with a gradient in frame 1 of a message of one
                 frame

Otherwise it follows the protocol.
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "python"))
import vibench_client as vc  # noqa: E402

MODE = sys.argv[1]


def main():
    channel = vc.Channel()
    start = channel.receive()
    dim = start["dim"] + (1 if MODE == "wrong_dim" else 0)
    oracles = ["log_prob_grad", "log_prob"]
    if MODE != "no_hessian":
        oracles.append("log_prob_hessian_vector")
    channel.send({"type": "ready", "protocol": 99 if MODE == "version" else 1,
                  "dim": dim, "oracles": oracles})
    requests = 0
    while True:
        message = channel.receive()
        if message["type"] == "stop":
            return
        requests += 1
        x = vc._array(message["points"])
        if MODE == "exits" and requests == 2:
            print("broken_server: giving up at request 2", file=sys.stderr)
            sys.exit(3)
        if MODE == "hangs" or MODE == f"hangs_at_{requests}":
            time.sleep(1000)
        if MODE == "bad_json":
            sys.stdout.write("{this is not json\n")
            sys.stdout.flush()
            continue
        if MODE == "error":
            channel.error("model_error", "the model cannot be evaluated here")
            continue
        if MODE == "not_reply":
            channel.send({"type": "state", "points": [[0.0]]})
            continue
        if MODE == "bad_frame":
            data = (-x).astype("<f8").tobytes()
            line = vc.json.dumps({
                "type": "reply",
                "log_prob": vc._number_list(-0.5 * (x * x).sum(axis=1)),
                "grad": {"shape": list(x.shape), "frame": 1},
                "frame_bytes": [len(data)]})
            sys.stdout.buffer.write(line.encode() + b"\n" + data)
            sys.stdout.buffer.flush()
            continue
        grad = -x
        if MODE == "wrong_size":
            grad = grad[:-1]
        reply = {"type": "reply",
                 "log_prob": vc._number_list(-0.5 * (x * x).sum(axis=1)),
                 "grad": vc._number_list(grad)}
        if message["oracle"] == "log_prob_hessian_vector":
            reply = {"type": "reply",
                     "hessian_vector": vc._number_list(-vc._array(
                         message["vectors"]))}
        channel.send(reply)


if __name__ == "__main__":
    main()
