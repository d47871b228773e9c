"""vibench's line protocol from Python (docs/PROTOCOL.md, version 1).

One module, NumPy only, importable without installation: put its directory
on sys.path (the examples do it relative to their own file) or copy it.

An *external algorithm* subclasses `Algorithm` and hands it to
`run_algorithm`; vibench starts the script once per cell and drives it:

    import vibench_client as vc

    class GradientAscent(vc.Algorithm):
        def __init__(self, start):            # the start message, a dict
            self.x = start["initial"]         # n_points x dim, float64
            self.eta = start["params"].get("step_size", 0.1)

        def step(self, oracles):              # one step of the runner's loop
            logp, grad = oracles.log_prob_grad(self.x)   # counted by vibench
            self.x = self.x + self.eta * grad

        def points(self):                     # the state after each step
            return self.x

    if __name__ == "__main__":
        vc.run_algorithm(GradientAscent)

Oracle values cross the protocol exactly: numbers are written in the
shortest form that reads back to the same double, and a non-finite number
(which JSON cannot hold) is written as null and read as NaN. By default
matrices cross as raw float64 bytes after each message's line (the
"frames" encoding), which is exact too and far cheaper.
"""

import base64
import io
import json
import os
import re
import select
import sys
import time

import numpy as np

PROTOCOL = 1


class ProtocolError(RuntimeError):
    """vibench sent something this client cannot follow, or refused a
    request (the message says why)."""


def _number_list(values):
    """A float array as nested lists, NaN and infinities as None."""
    array = np.asarray(values, dtype=float)
    if np.isfinite(array).all():
        return array.tolist()
    return np.where(np.isfinite(array), array, None).tolist()


def _array(values):
    """A matrix or list as vibench sends it: a JSON list (None for
    non-finite), the binary form {"shape": [...], "f64": base64 of
    little-endian float64, row-major}, or an array already read from the
    message's frames (Channel.receive), as a float array."""
    if isinstance(values, np.ndarray):
        return values
    if isinstance(values, dict):
        raw = np.frombuffer(base64.b64decode(values["f64"], validate=True),
                            dtype="<f8")
        return raw.reshape(values["shape"]).astype(float)
    return np.array(values, dtype=float)


def _binary(values):
    """A float array in the protocol's base64 form: exact, non-finite
    values included, and far cheaper than JSON numbers for both sides."""
    array = np.ascontiguousarray(values, dtype="<f8")
    return {"shape": list(array.shape),
            "f64": base64.b64encode(array.tobytes()).decode("ascii")}


def _read_frames(value, frames):
    """`value` with every matrix {"shape": [...], "frame": k} replaced by
    the array read from frame k."""
    if isinstance(value, list):
        return [_read_frames(item, frames) for item in value]
    if not isinstance(value, dict):
        return value
    if "shape" in value and "frame" in value:
        k = value["frame"]
        if (not isinstance(k, int) or isinstance(k, bool)
                or not 0 <= k < len(frames)):
            raise ProtocolError(f"a matrix of frame {k!r}; the message has "
                                f"{len(frames)} frames")
        try:
            return np.frombuffer(frames[k], dtype="<f8").reshape(
                value["shape"])
        except (TypeError, ValueError) as error:
            raise ProtocolError(f"frame {k} does not hold a matrix of shape "
                                f"{value['shape']!r}: {error}") from None
    return {key: _read_frames(item, frames) for key, item in value.items()}


ENCODINGS = ("frames", "base64", "json")

# How long, in microseconds, a side polls for the other's answer before it
# sleeps (VIBENCH_PROTOCOL_SPIN_US; 0 never polls). vibench reads the same
# variable, and its children inherit it.
SPIN_US = 100


def _spin_from_environment():
    """VIBENCH_PROTOCOL_SPIN_US as vibench reads it: a decimal number of
    microseconds from 0 to 10^6 (SPIN_US when unset)."""
    text = os.environ.get("VIBENCH_PROTOCOL_SPIN_US")
    if text is None:
        return SPIN_US
    plain = re.fullmatch(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text)
    value = float(text) if plain else None
    if value is None or not 0 <= value <= 1e6:
        raise ProtocolError(f"VIBENCH_PROTOCOL_SPIN_US is {text!r}; expected "
                            f"microseconds from 0 to 1000000")
    return value


class Channel:
    """JSON lines over a pair of binary streams (stdin and stdout). Once
    `encoding` is set by negotiate(), matrices are sent in that form:
    "frames" (raw bytes after the line), "base64" or "json"."""

    def __init__(self, reader=None, writer=None, spin_us=None):
        self.reader = reader or sys.stdin.buffer
        self.writer = writer or sys.stdout.buffer
        self.encoding = "json"
        self._frames = []  # of the message being written
        if spin_us is None:
            spin_us = _spin_from_environment()
        self._spin = spin_us * 1e-6
        try:
            self._poll = select.poll()
            self._poll.register(self.reader.fileno(), select.POLLIN)
        except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
            self._poll = None  # not a file descriptor: no spinning

    def _await_message(self):
        """Polls for vibench's next message for up to the spin time before
        readline() blocks: an answer that comes within it is read without
        the sleeping process's wake-up, which costs tens of microseconds
        on a virtual machine (docs/PROTOCOL.md, Latency). It polls the file
        descriptor, not the reader's buffer: vibench sends a message only
        after this side's previous one, so nothing waits in the buffer
        then (if something did, it would only cost the spin time)."""
        if self._poll is None or self._spin <= 0:
            return
        end = time.perf_counter() + self._spin
        while not self._poll.poll(0) and time.perf_counter() < end:
            pass

    def matrix(self, values):
        """A float array as this channel sends it (in the message that
        send() writes next)."""
        if self.encoding == "json":
            return _number_list(values)
        if self.encoding == "base64":
            return _binary(values)
        array = np.ascontiguousarray(values, dtype="<f8")
        # A copy: the values as they are now, even if the caller changes
        # the array before send().
        self._frames.append(array.tobytes())
        return {"shape": list(array.shape), "frame": len(self._frames) - 1}

    def negotiate(self, start, ready, encoding=None):
        """Asks, in `ready`, for `encoding` (one of ENCODINGS; None: the
        environment's VIBENCH_PROTOCOL_ENCODING, else "frames"), or for the
        next binary one the start message offers (an older vibench may
        offer no frames)."""
        if encoding is None:
            encoding = os.environ.get("VIBENCH_PROTOCOL_ENCODING", "frames")
        if encoding not in ENCODINGS:
            raise ProtocolError(f"unknown encoding {encoding!r}: one of "
                                f"{', '.join(ENCODINGS)}")
        offered = start.get("encodings", [])
        for candidate in ENCODINGS[ENCODINGS.index(encoding):]:
            if candidate in offered and candidate != "json":
                ready["encoding"] = candidate
                self.encoding = candidate
                return

    def send(self, message):
        frames, self._frames = self._frames, []
        if frames:
            message["frame_bytes"] = [len(frame) for frame in frames]
        line = json.dumps(message, allow_nan=False, separators=(",", ":"))
        self.writer.write(b"".join([line.encode("utf-8"), b"\n"] + frames))
        self.writer.flush()

    def receive(self):
        self._await_message()
        line = self.reader.readline()
        if not line:
            raise EOFError("vibench closed the connection")
        message = json.loads(line)
        if not isinstance(message, dict) or "type" not in message:
            raise ProtocolError(f"not a protocol message: {line[:200]!r}")
        if "frame_bytes" in message:
            sizes = message.pop("frame_bytes")
            # Into a bytearray: the arrays read from it are writable
            # without a copy.
            data = memoryview(bytearray(sum(sizes)))
            filled = 0
            while filled < len(data):
                got = self.reader.readinto(data[filled:])
                if not got:
                    raise EOFError("vibench closed the connection inside a "
                                   "message's frames")
                filled += got
            frames, offset = [], 0
            for size in sizes:
                frames.append(data[offset:offset + size])
                offset += size
            message = _read_frames(message, frames)
        if message["type"] == "error":
            raise ProtocolError(
                f"vibench: {message.get('code')}: {message.get('message')}")
        return message

    def error(self, code, text):
        self._frames = []  # of a message that was never sent
        self.send({"type": "error", "code": code, "message": text})


def protocol_channel():
    """The protocol on the process's stdin and on a private copy of its
    stdout; file descriptor 1 and sys.stdout then go to stderr, so that a
    stray print() cannot break the protocol. Call it before anything that
    may print (loading a model that compiles) and hand the channel to
    serve() or run_algorithm()."""
    sys.stdout.flush()
    protocol_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return Channel(sys.stdin.buffer, protocol_out)


class Oracles:
    """The task's oracles, served by vibench and counted there. Every
    method takes all points of a call at once (an n x dim array): one
    message, one round trip, however many points."""

    def __init__(self, channel, offered):
        self._channel = channel
        self.offered = list(offered)

    def _request(self, oracle, points, **extra):
        channel = self._channel
        message = {"type": "request", "oracle": oracle,
                   "points": channel.matrix(np.atleast_2d(points))}
        for key, value in extra.items():
            message[key] = channel.matrix(np.atleast_2d(value))
        self._channel.send(message)
        reply = self._channel.receive()
        if reply["type"] != "reply":
            raise ProtocolError(f"expected a reply, got {reply['type']!r}")
        return reply

    # Distributions (kind "sampler").
    def log_prob_grad(self, points):
        """(log π̃(x_i), ∇log π(x_i)) for every row x_i."""
        reply = self._request("log_prob_grad", points)
        return _array(reply["log_prob"]), _array(reply["grad"])

    def log_prob(self, points):
        return _array(self._request("log_prob", points)["log_prob"])

    def log_prob_hessian_vector(self, points, vectors):
        """Row i: ∇²log π(x_i) v_i (where the task offers it)."""
        reply = self._request("log_prob_hessian_vector", points,
                              vectors=vectors)
        return _array(reply["hessian_vector"])

    # Objectives (kind "optimizer").
    def value_grad(self, points):
        """(f(x_i), ∇f(x_i)) for every row x_i."""
        reply = self._request("value_grad", points)
        return _array(reply["value"]), _array(reply["grad"])

    def value(self, points):
        return _array(self._request("value", points)["value"])

    # Saddle-point problems (kind "saddle").
    def operator(self, points):
        """F(z_i) = (∇_x L, −∇_y L) for every row z_i = (x_i, y_i)."""
        return _array(self._request("operator", points)["operator"])

    # Bilevel problems (kind "bilevel"): f the outer and g the inner
    # function, at pairs (x_i, y_i), one row of x and of y each.
    def outer_value(self, x, y):
        return _array(self._request("outer_value", x, inner=y)["value"])

    def outer_grad(self, x, y):
        """(∇_x f, ∇_y f) at every pair."""
        reply = self._request("outer_grad", x, inner=y)
        return _array(reply["grad_x"]), _array(reply["grad_y"])

    def inner_value(self, x, y):
        return _array(self._request("inner_value", x, inner=y)["value"])

    def inner_grad(self, x, y):
        """(∇_x g, ∇_y g) at every pair."""
        reply = self._request("inner_grad", x, inner=y)
        return _array(reply["grad_x"]), _array(reply["grad_y"])

    def inner_hvp_yy(self, x, y, v):
        """Row i: ∇²_yy g(x_i, y_i) v_i (where the task offers it)."""
        return _array(self._request("inner_hvp_yy", x, inner=y,
                                    vectors=v)["hvp"])

    def inner_cross(self, x, y, v):
        """Row i: ∇²_xy g(x_i, y_i) v_i, a dim_x row (where the task offers
        it)."""
        return _array(self._request("inner_cross", x, inner=y,
                                    vectors=v)["cross"])


class Algorithm:
    """Base of an external algorithm. vibench calls, in order:
    the constructor with the start message (a dict whose "initial", and for
    a bilevel algorithm "initial_inner", are already float arrays),
    step(oracles) once per iteration of its loop, points() (and for a
    bilevel algorithm inner() and hypergradient()) after every step, and
    diagnostics() at the end."""

    # A sampler whose rows are Markov chains sets this to {"warmup": W,
    # "record_every": R}: vibench then keeps its states after the warm-up,
    # every R-th, as the chains' history, and measures R-hat and ESS on it.
    chains = None

    def __init__(self, start):
        self.start = start

    def step(self, oracles):
        raise NotImplementedError

    def points(self):
        raise NotImplementedError

    # Bilevel algorithms only: the inner iterate y (a row per row of
    # points()), and optionally the latest hypergradient estimate (None:
    # not sent).
    def inner(self):
        raise NotImplementedError

    def hypergradient(self):
        return None

    def diagnostics(self):
        """Anything JSON can hold; recorded in the cell's diagnostics."""
        return {}


def _receive_start(channel):
    """vibench's start message; a protocol version other than this
    client's is told to vibench, and the program exits with status 1."""
    start = channel.receive()
    if start["type"] != "start":
        raise ProtocolError(f"expected a start message, got {start['type']!r}")
    if start.get("protocol") != PROTOCOL:
        channel.error("protocol_version",
                      f"this client speaks version {PROTOCOL}, vibench "
                      f"version {start.get('protocol')}")
        sys.exit(1)
    return start


def run_algorithm(factory, channel=None, name=None, encoding=None):
    """Serves one cell: the handshake, every step, the stop. `factory`
    builds the algorithm from the start message (usually the class). Exits
    with status 0 after vibench's stop, 1 after an error (told to vibench
    first, as an error message). Anything the algorithm prints goes to
    stderr, which vibench keeps for the cell's messages. `encoding` is how
    matrices cross: "frames" (raw bytes after each line), "base64" or
    "json"; by default the environment variable VIBENCH_PROTOCOL_ENCODING,
    else "frames"."""
    channel = channel or protocol_channel()
    try:
        start = _receive_start(channel)
        start["initial"] = _array(start["initial"])
        if "initial_inner" in start:
            start["initial_inner"] = _array(start["initial_inner"])
        oracles = Oracles(channel, start.get("oracles", []))
        algorithm = factory(start)
        ready = {"type": "ready", "protocol": PROTOCOL}
        ready["name"] = name or getattr(factory, "__name__", "external")
        chains = getattr(algorithm, "chains", None)
        if chains is not None:
            ready["chains"] = chains
        channel.negotiate(start, ready, encoding)
        channel.send(ready)
        while True:
            message = channel.receive()
            kind = message["type"]
            if kind == "step":
                algorithm.step(oracles)
                points = np.atleast_2d(algorithm.points())  # (d,) is 1 x d
                state = {"type": "state", "points": channel.matrix(points)}
                if start.get("kind") == "bilevel":
                    state["inner"] = channel.matrix(
                        np.atleast_2d(algorithm.inner()))
                    estimate = algorithm.hypergradient()
                    if estimate is not None:
                        state["hypergradient"] = channel.matrix(
                            np.atleast_2d(estimate))
                channel.send(state)
            elif kind == "stop":
                channel.send({"type": "final",
                              "diagnostics": algorithm.diagnostics()})
                return
            else:
                raise ProtocolError(f"unexpected message {kind!r}")
    except EOFError:
        sys.exit(1)  # vibench ended the cell; nothing more to say
    except ProtocolError as error:
        print(f"vibench_client: {error}", file=sys.stderr)
        sys.exit(1)
    except Exception as error:  # the algorithm's own failure: say so
        try:
            channel.error("algorithm_error", f"{type(error).__name__}: {error}")
        finally:
            raise


# The serving role: a density or an objective served to vibench's own
# algorithms (tasks external_density and external_objective).

# Per role: the oracles a model may offer, the one it must, and the reply
# keys of each.
_SERVED = {
    "density": {
        "required": "log_prob_grad",
        "replies": {"log_prob_grad": ("log_prob", "grad"),
                    "log_prob": ("log_prob",),
                    "log_prob_hessian_vector": ("hessian_vector",)},
    },
    "objective": {
        "required": "value_grad",
        "replies": {"value_grad": ("value", "grad"), "value": ("value",)},
    },
}


class Model:
    """Base of a served density or objective. vibench builds it from the
    start message (a dict with "role", "dim" and "params") and then asks
    for oracle values, each call with all points of one of its steps (an
    n x dim float array). A density defines log_prob_grad(x) -> (log π̃
    (n,), ∇log π (n, dim)) and may define log_prob(x) and
    log_prob_hessian_vector(x, v); an objective defines value_grad(x) ->
    (f (n,), ∇f (n, dim)) and may define value(x). Where log_prob or value
    is not defined, it is taken from the gradient oracle."""

    def __init__(self, start):
        self.start = start
        self.dim = start["dim"]

    def log_prob(self, x):
        return self.log_prob_grad(x)[0]

    def value(self, x):
        return self.value_grad(x)[0]


def serve(factory, channel=None, name=None, encoding=None):
    """Serves a density or an objective to vibench until it says stop.
    `factory` builds the model from the start message (usually the class).
    Returns after vibench's stop or when vibench closes the connection;
    exits with status 1 after an error (told to vibench first). `encoding`
    as for run_algorithm."""
    channel = channel or protocol_channel()
    try:
        start = _receive_start(channel)
        role = start.get("role")
        if role not in _SERVED:
            channel.error("unexpected_message",
                          f"this program serves a model; vibench asked for "
                          f"the role {role!r}")
            sys.exit(1)
        model = factory(start)
        required = _SERVED[role]["required"]
        if not callable(getattr(model, required, None)):
            raise TypeError(f"a {role} model must define {required}(x)")
        methods = {n: getattr(model, n) for n in _SERVED[role]["replies"]
                   if callable(getattr(model, n, None))}
        # The value alone from the gradient oracle, where not defined.
        value_only = "log_prob" if role == "density" else "value"
        methods.setdefault(value_only,
                           lambda x: getattr(model, required)(x)[0])
        offered = list(methods)
        ready = {"type": "ready", "protocol": PROTOCOL,
                 "dim": int(model.dim), "oracles": offered,
                 "name": name or getattr(factory, "__name__", "model")}
        channel.negotiate(start, ready, encoding)
        channel.send(ready)
        while True:
            message = channel.receive()
            kind = message["type"]
            if kind == "stop":
                return
            if kind != "request":
                raise ProtocolError(f"unexpected message {kind!r}")
            oracle = message.get("oracle")
            if oracle not in offered:
                channel.error("unknown_oracle",
                              f"vibench asked for {oracle!r}; this model "
                              f"offers {offered}")
                sys.exit(1)
            points = _array(message["points"])
            args = [points]
            if oracle == "log_prob_hessian_vector":
                args.append(_array(message["vectors"]))
            values = methods[oracle](*args)
            keys = _SERVED[role]["replies"][oracle]
            if len(keys) == 1:
                values = (values,)
            reply = {"type": "reply"}
            for key, value in zip(keys, values):
                reply[key] = channel.matrix(value)
            channel.send(reply)
    except EOFError:
        return  # vibench closed the connection: the task is done with us
    except ProtocolError as error:
        print(f"vibench_client: {error}", file=sys.stderr)
        sys.exit(1)
    except Exception as error:  # the model's own failure: say so
        try:
            channel.error("model_error", f"{type(error).__name__}: {error}")
        finally:
            raise


__all__ = ["PROTOCOL", "Algorithm", "Channel", "Model", "Oracles",
           "ProtocolError", "protocol_channel", "run_algorithm", "serve"]
