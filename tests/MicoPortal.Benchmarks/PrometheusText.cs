using System.Globalization;

namespace MicoPortal.Benchmarks;

/// <summary>
/// Reads series from the portal's <c>/metrics</c> (Prometheus text as OpenTelemetry's exporter writes it: unit
/// suffixes, <c>_total</c> on counters, an <c>otel_scope_name</c> label on every sample; README, Telemetry).
/// </summary>
internal static class PrometheusText
{
    /// <summary>
    /// The sum of every sample of <paramref name="name"/> whose labels contain <paramref name="label"/> (all of
    /// them when null), e.g. the managed heap over its generations; 0 when the series is absent.
    /// </summary>
    public static double Sum(string text, string name, string? label = null)
    {
        double sum = 0;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length || line[name.Length] is not ('{' or ' '))
            {
                continue;
            }

            var labelsEnd = line[name.Length] == '{' ? line.IndexOf('}', name.Length) : name.Length - 1;
            if (labelsEnd < 0 || (label is not null && !line.AsSpan(name.Length, labelsEnd - name.Length + 1).Contains(label, StringComparison.Ordinal)))
            {
                continue;
            }

            // "name{labels} value" with an optional timestamp after the value.
            var value = line[(labelsEnd + 1)..].Trim().Split(' ')[0];
            sum += double.Parse(value, CultureInfo.InvariantCulture);
        }

        return sum;
    }

    /// <summary>The managed heap at the end of the last collection (the runtime's per-generation sizes, added up).</summary>
    public const string HeapSize = "dotnet_gc_last_collection_heap_size_bytes";

    /// <summary>What was still alive after the last full collection (the portal's own gauge).</summary>
    public const string HeapAfterFullGc = "micoportal_gc_heap_after_full_gc_bytes";

    public const string GcCollections = "dotnet_gc_collections_total";

    /// <summary>Time the runtime paused the process for collections, since start.</summary>
    public const string GcPauseTime = "dotnet_gc_pause_time_seconds_total";

    public const string Gen2 = "gc_heap_generation=\"gen2\"";

    public const string SqliteHighwater = "micoportal_sqlite_memory_highwater_bytes";
}
