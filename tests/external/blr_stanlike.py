"""posteriordb's Bayesian linear regression `blr`, with the methods of
bridgestan.StanModel that scripts/serve_bridgestan.py calls: a stand-in
for BridgeStan, which cannot be installed here, so that the tests run the
script's BridgeStan path with a density written in Python
(tests/test_served_tasks.cpp).

  β_k ~ N(0, 10),  σ ~ N(0, 10) truncated to σ > 0,  y_n ~ N(X_n β, σ),

parameters β (D) and σ; unconstrained: β and s = log σ, the log density
with the log-Jacobian s (as BridgeStan's jacobian=True) and every
normalizing constant (its propto=True would drop them: a constant).
"""

import json
import math

import numpy as np


class Blr:
    def __init__(self, data_path):
        with open(data_path, encoding="utf-8") as handle:
            data = json.load(handle)
        self.x = np.asarray(data["X"], dtype=float)
        self.y = np.asarray(data["y"], dtype=float)
        self.d = int(data["D"])

    def param_names(self):
        return [f"beta.{k + 1}" for k in range(self.d)] + ["sigma"]

    def param_unc_names(self):
        return self.param_names()

    def param_unconstrain(self, theta):
        theta = np.asarray(theta, dtype=float)
        return np.append(theta[:self.d], math.log(theta[self.d]))

    def _parts(self, theta_unc):
        beta, s = theta_unc[:self.d], theta_unc[self.d]
        if not abs(s) < 300:  # as BridgeStan reports Stan's exceptions
            raise RuntimeError(f"log_density: sigma = exp({s}) is not finite")
        sigma = math.exp(s)
        r = self.y - self.x @ beta
        return beta, s, sigma, r

    def log_density(self, theta_unc, propto=True, jacobian=True):
        beta, s, sigma, r = self._parts(theta_unc)
        n = len(self.y)
        log_2pi = math.log(2 * math.pi)
        lp = (-0.5 * beta @ beta / 100 - self.d * (0.5 * log_2pi + math.log(10))
              - 0.5 * sigma ** 2 / 100 - (0.5 * log_2pi + math.log(10))
              - 0.5 * r @ r / sigma ** 2 - n * (0.5 * log_2pi + s))
        return lp + (s if jacobian else 0.0)

    def log_density_gradient(self, theta_unc, propto=True, jacobian=True):
        beta, s, sigma, r = self._parts(theta_unc)
        grad = np.empty(self.d + 1)
        grad[:self.d] = -beta / 100 + self.x.T @ r / sigma ** 2
        grad[self.d] = (-sigma ** 2 / 100 + r @ r / sigma ** 2 - len(self.y)
                        + (1.0 if jacobian else 0.0))
        return self.log_density(theta_unc, propto, jacobian), grad

    def log_density_hessian_vector_product(self, theta_unc, v, propto=True,
                                           jacobian=True):
        beta, s, sigma, r = self._parts(theta_unc)
        a, c = v[:self.d], v[self.d]
        xtr = self.x.T @ r
        out = np.empty(self.d + 1)
        out[:self.d] = (-a / 100 - self.x.T @ (self.x @ a) / sigma ** 2
                        - 2 * xtr * c / sigma ** 2)
        out[self.d] = (-2 * xtr @ a / sigma ** 2
                       + (-sigma ** 2 / 50 - 2 * r @ r / sigma ** 2) * c)
        return self.log_density(theta_unc, propto, jacobian), out
