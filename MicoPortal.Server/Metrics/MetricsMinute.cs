namespace MicoPortal.Server.Metrics;

/// <summary>
/// One minute of delivery outcomes for one SKU and region, as counted by one server instance.
/// Each instance writes only its own rows (absolute values from memory), so several instances
/// never contend; readers add the rows up.
/// </summary>
public sealed class MetricsMinute
{
    public DateTimeOffset Minute { get; set; }
    public required string Sku { get; set; }
    public required string Region { get; set; }
    public required string Instance { get; set; }

    public long Received { get; set; }
    public long Delivered { get; set; }
    public long Failed { get; set; }
    public long Reversed { get; set; }
    /// <summary>Of <see cref="Delivered"/> and <see cref="Failed"/>: orders no person had touched (re-verify, retry).</summary>
    public long Unattended { get; set; }

    /// <summary>Delivery latency histogram: counts per <see cref="LatencyHistogram.BoundsMs"/> bucket, comma-separated.</summary>
    public string LatencyBuckets { get; set; } = "";
}
