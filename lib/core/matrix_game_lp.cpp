#include "core/matrix_game_lp.hpp"

#include <glpk.h>

#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace vibench {
namespace {

struct ProblemDeleter {
  void operator()(glp_prob* p) const { glp_delete_prob(p); }
};

// min v over (p, v) with p on the simplex of `payoff.rows()` entries and
// (payoffᵀp)_j ≤ v for every column j. Returns v and writes p.
double solve_row_player(const Matrix& payoff, Vector& p) {
  const int rows = static_cast<int>(payoff.rows());
  const int cols = static_cast<int>(payoff.cols());
  std::unique_ptr<glp_prob, ProblemDeleter> lp(glp_create_prob());
  glp_set_obj_dir(lp.get(), GLP_MIN);
  // Variables: p_1..p_rows ≥ 0, then v free.
  glp_add_cols(lp.get(), rows + 1);
  for (int i = 1; i <= rows; ++i) glp_set_col_bnds(lp.get(), i, GLP_LO, 0, 0);
  glp_set_col_bnds(lp.get(), rows + 1, GLP_FR, 0, 0);
  glp_set_obj_coef(lp.get(), rows + 1, 1.0);
  // Constraints: Σ_i A_ij p_i − v ≤ 0 for each column j; Σ p = 1.
  glp_add_rows(lp.get(), cols + 1);
  std::vector<int> ia{0}, ja{0};
  std::vector<double> ar{0.0};
  for (int j = 1; j <= cols; ++j) {
    glp_set_row_bnds(lp.get(), j, GLP_UP, 0, 0);
    for (int i = 1; i <= rows; ++i) {
      ia.push_back(j), ja.push_back(i), ar.push_back(payoff(i - 1, j - 1));
    }
    ia.push_back(j), ja.push_back(rows + 1), ar.push_back(-1.0);
  }
  glp_set_row_bnds(lp.get(), cols + 1, GLP_FX, 1.0, 1.0);
  for (int i = 1; i <= rows; ++i)
    ia.push_back(cols + 1), ja.push_back(i), ar.push_back(1.0);
  glp_load_matrix(lp.get(), static_cast<int>(ia.size()) - 1, ia.data(),
                  ja.data(), ar.data());
  glp_smcp options;
  glp_init_smcp(&options);
  options.msg_lev = GLP_MSG_OFF;
  options.presolve = GLP_OFF;
  const int code = glp_simplex(lp.get(), &options);
  if (code != 0 || glp_get_status(lp.get()) != GLP_OPT)
    throw std::runtime_error(
        "solve_matrix_game: GLPK's simplex found no optimal solution");
  p.resize(rows);
  for (int i = 1; i <= rows; ++i) p(i - 1) = glp_get_col_prim(lp.get(), i);
  return glp_get_obj_val(lp.get());
}

}  // namespace

MatrixGameSolution solve_matrix_game(const Matrix& a) {
  if (a.size() == 0 || !a.allFinite())
    throw std::invalid_argument(
        "solve_matrix_game: the payoff matrix must be nonempty and finite");
  // GLPK keeps its environment per thread only when built reentrant;
  // serialize, since cells may solve different games at once.
  static std::mutex glpk;
  const std::lock_guard<std::mutex> lock(glpk);
  MatrixGameSolution s;
  s.value = solve_row_player(a, s.x);
  // The column player maximizes min_i (Ay)_i: the row player's problem of
  // the game −Aᵀ, whose value is −w.
  solve_row_player(-a.transpose(), s.y);
  return s;
}

}  // namespace vibench
