using System.ComponentModel.DataAnnotations;

namespace MicoPortal.Server.Audit;

/// <summary>Configuration section <c>Audit</c>.</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>Entries sealed per transaction; small enough that the write lock is held for milliseconds.</summary>
    [Range(1, 100_000)]
    public int SealBatch { get; set; } = 2_000;

    /// <summary>How often the chain head is copied to a checkpoint and the application log.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(5);
}
