package dev.kiln.server.remotewrite;

import dev.kiln.server.remotewrite.proto.v2.Request;
import dev.kiln.server.remotewrite.proto.v2.TimeSeries;
import java.util.ArrayList;
import java.util.List;

/** Resolves a remote write 2.0 request's symbol references into series. */
final class V2Decoder {
  private V2Decoder() {}

  static List<DecodedSeries> decode(Request req) throws InvalidWriteException {
    List<String> symbols = req.getSymbolsList();
    if (!symbols.isEmpty() && !symbols.get(0).isEmpty()) {
      throw new InvalidWriteException("invalid request: symbols[0] must be the empty string");
    }
    List<DecodedSeries> out = new ArrayList<>(req.getTimeseriesCount());
    for (TimeSeries ts : req.getTimeseriesList()) {
      int refs = ts.getLabelsRefsCount();
      if (refs % 2 != 0) {
        throw new InvalidWriteException("invalid request: odd number of labels_refs");
      }
      String[] pairs = new String[refs];
      for (int i = 0; i < refs; i++) {
        int ref = ts.getLabelsRefs(i);
        if (ref < 0 || ref >= symbols.size()) {
          throw new InvalidWriteException("invalid request: symbol reference " + ref + " out of range (" + symbols.size() + " symbols)");
        }
        pairs[i] = symbols.get(ref);
      }
      if (ts.getSamplesCount() > 0 && ts.getHistogramsCount() > 0) {
        throw new InvalidWriteException("invalid request: a series carries both samples and histograms");
      }
      long[] t = new long[ts.getSamplesCount()];
      double[] v = new double[t.length];
      for (int k = 0; k < t.length; k++) {
        t[k] = ts.getSamples(k).getTimestamp();
        v[k] = ts.getSamples(k).getValue();
      }
      DecodedSeries s;
      try {
        s = DecodedSeries.withLabels(LabelValidation.validate(pairs), t, v);
      } catch (InvalidLabelsException e) {
        s = DecodedSeries.invalid(e.getMessage(), t, v);
      }
      if (ts.getHistogramsCount() > 0) {
        HistogramDecoder.Sample[] hs = new HistogramDecoder.Sample[ts.getHistogramsCount()];
        for (int k = 0; k < hs.length; k++) {
          // The full message is kept as unknown fields; decode it from its bytes.
          byte[] b = ts.getHistograms(k).toByteArray();
          hs[k] = HistogramDecoder.decode(b, 0, b.length);
        }
        s.withHistograms(hs);
      }
      out.add(s);
    }
    return out;
  }

  static int histogramCount(Request req) {
    int n = 0;
    for (TimeSeries ts : req.getTimeseriesList()) {
      n += ts.getHistogramsCount();
    }
    return n;
  }
}
