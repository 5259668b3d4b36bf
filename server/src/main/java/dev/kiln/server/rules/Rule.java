package dev.kiln.server.rules;

import dev.kiln.promql.PromQLException;
import dev.kiln.promql.Query;
import dev.kiln.promql.QueryOptions;
import dev.kiln.promql.QueryResult;
import dev.kiln.promql.Sample;
import dev.kiln.promql.Scalar;
import dev.kiln.promql.Vector;
import java.util.List;

/** A rule of a group: evaluated at a time to an output vector, with health bookkeeping. */
public abstract sealed class Rule permits RecordingRule, AlertingRule {
  final RuleSpec spec;
  volatile RuleHealth health = RuleHealth.UNKNOWN;
  volatile String lastError = "";
  volatile long lastEvaluationMillis;
  volatile double evaluationSeconds;

  Rule(RuleSpec spec) {
    this.spec = spec;
  }

  public RuleSpec spec() {
    return spec;
  }

  public RuleHealth health() {
    return health;
  }

  public String lastError() {
    return lastError;
  }

  public long lastEvaluationMillis() {
    return lastEvaluationMillis;
  }

  public double evaluationSeconds() {
    return evaluationSeconds;
  }

  /**
   * Evaluates the rule at {@code ts}, returning the samples to store.
   *
   * @throws RuleEvaluationException when the query fails or the result breaks a rule invariant
   */
  abstract List<Sample> eval(RuleContext ctx, long ts, long limit);

  /** Runs the rule's expression as an instant query; scalars become one sample without labels. */
  static List<Sample> query(RuleContext ctx, String expr, long ts) {
    try (Query q = ctx.engine().instantQuery(ctx.storage(), QueryOptions.DEFAULTS, expr, ts)) {
      QueryResult r = q.exec();
      if (r.value() instanceof Vector v) {
        return v.samples();
      }
      if (r.value() instanceof Scalar s) {
        return List.of(new Sample(dev.kiln.tsdb.model.Labels.EMPTY, s.timestampMillis(), s.value()));
      }
      throw new RuleEvaluationException("rule result is not a vector or scalar");
    } catch (PromQLException e) {
      throw new RuleEvaluationException(e.getMessage());
    }
  }
}
