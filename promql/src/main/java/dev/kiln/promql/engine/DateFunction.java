package dev.kiln.promql.engine;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.Map;

/** The calendar functions of PromQL, all in UTC, over Unix seconds. Stateless. */
enum DateFunction {
  DAYS_IN_MONTH("days_in_month"),
  DAY_OF_MONTH("day_of_month"),
  DAY_OF_WEEK("day_of_week"),
  DAY_OF_YEAR("day_of_year"),
  HOUR("hour"),
  MINUTE("minute"),
  MONTH("month"),
  YEAR("year");

  private static final Map<String, DateFunction> BY_NAME = new HashMap<>();

  static {
    for (DateFunction f : values()) {
      BY_NAME.put(f.promqlName, f);
    }
  }

  final String promqlName;

  DateFunction(String promqlName) {
    this.promqlName = promqlName;
  }

  static DateFunction byName(String name) {
    return BY_NAME.get(name);
  }

  /** The function's value for a time given in whole Unix seconds. */
  double apply(long unixSeconds) {
    ZonedDateTime t = Instant.ofEpochSecond(unixSeconds).atZone(ZoneOffset.UTC);
    return switch (this) {
      case DAYS_IN_MONTH -> t.toLocalDate().lengthOfMonth();
      case DAY_OF_MONTH -> t.getDayOfMonth();
      case DAY_OF_WEEK -> t.getDayOfWeek().getValue() % 7;
      case DAY_OF_YEAR -> t.getDayOfYear();
      case HOUR -> t.getHour();
      case MINUTE -> t.getMinute();
      case MONTH -> t.getMonthValue();
      case YEAR -> t.getYear();
    };
  }
}
