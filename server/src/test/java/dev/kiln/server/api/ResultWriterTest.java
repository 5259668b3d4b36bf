package dev.kiln.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.promql.Matrix;
import dev.kiln.promql.RangeSeries;
import dev.kiln.promql.Sample;
import dev.kiln.promql.Vector;
import dev.kiln.server.json.JsonOut;
import dev.kiln.tsdb.histogram.FloatHistogram;
import dev.kiln.tsdb.histogram.Schemas;
import dev.kiln.tsdb.histogram.Span;
import dev.kiln.tsdb.model.Labels;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultWriterTest {
  private static final String HIST_JSON = "{\"count\":\"9\",\"sum\":\"23\",\"buckets\":["
      + "[1,\"-4\",\"-2\",\"1\"],[1,\"-2\",\"-1\",\"3\"],[3,\"-0.001\",\"0.001\",\"2\"],"
      + "[0,\"0.5\",\"1\",\"1\"],[0,\"1\",\"2\",\"2\"]]}";

  static FloatHistogram histogram() {
    FloatHistogram h = new FloatHistogram();
    h.count = 9;
    h.sum = 23;
    h.zeroThreshold = 0.001;
    h.zeroCount = 2;
    h.positiveSpans = new Span[] {new Span(0, 2)};
    h.positiveBuckets = new double[] {1, 2};
    h.negativeSpans = new Span[] {new Span(1, 2), new Span(1, 1)};
    h.negativeBuckets = new double[] {3, 1, 0};
    return h;
  }

  @Test
  void vectorHistogramSampleIsEncodedAsPrometheusDoes() {
    JsonOut out = new JsonOut();
    Labels l = Labels.of("__name__", "h");
    ResultWriter.write(out, new Vector(List.of(new Sample(l, 1500, histogram()), new Sample(l, 1500, 2.5))), 1500, 0);
    assertEquals("{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"__name__\":\"h\"},\"histogram\":[1.500,"
        + HIST_JSON + "]},{\"metric\":{\"__name__\":\"h\"},\"value\":[1.500,\"2.5\"]}]}", out.toString());
  }

  @Test
  void matrixCarriesValuesAndHistogramsApart() {
    JsonOut out = new JsonOut();
    RangeSeries mixed = new RangeSeries(Labels.of("a", "b"), new long[] {1000}, new double[] {4}, 1,
        new long[] {2000, 3000}, new FloatHistogram[] {histogram(), custom()}, 2);
    RangeSeries onlyHist = new RangeSeries(Labels.of("a", "c"), new long[0], new double[0], 0,
        new long[] {60000}, new FloatHistogram[] {new FloatHistogram()}, 1);
    ResultWriter.write(out, new Matrix(List.of(mixed, onlyHist)), 0, 0);
    assertEquals("{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"a\":\"b\"},\"values\":[[1,\"4\"]],"
        + "\"histograms\":[[2," + HIST_JSON + "],[3,{\"count\":\"3\",\"sum\":\"1e-07\",\"buckets\":"
        + "[[3,\"-Inf\",\"5\",\"1\"],[0,\"5\",\"+Inf\",\"2\"]]}]]},"
        + "{\"metric\":{\"a\":\"c\"},\"histograms\":[[60,{\"count\":\"0\",\"sum\":\"0\"}]]}]}", out.toString());
  }

  private static FloatHistogram custom() {
    FloatHistogram h = new FloatHistogram();
    h.schema = Schemas.CUSTOM_BUCKETS;
    h.customValues = new double[] {5};
    h.count = 3;
    h.sum = 1e-7;
    h.positiveSpans = new Span[] {new Span(0, 2)};
    h.positiveBuckets = new double[] {1, 2};
    return h;
  }
}
