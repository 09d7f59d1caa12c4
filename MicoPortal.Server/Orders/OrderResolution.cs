using MicoPortal.Shared.Orders;

namespace MicoPortal.Server.Orders;

/// <summary>
/// A person's settlement of an order that automation could not close (docs/api.md section 10): the outcome,
/// who decided, why, and the evidence they had, optionally with a file (a support desk's e-mail, a screenshot)
/// kept with the order. The status change itself goes through <see cref="OrderStateMachine"/> like any other.
/// </summary>
public sealed class OrderResolution
{
    public const int MaxReason = 1000;
    public const int MaxEvidence = 4000;
    public const int MaxFileBytes = 5 * 1024 * 1024;

    public long Id { get; set; }
    public long OrderId { get; set; }
    /// <summary>The delivery attempt it settled.</summary>
    public int DeliveryAttemptNo { get; set; }
    /// <summary><see cref="ResolutionOutcomes.Delivered"/> or <see cref="ResolutionOutcomes.Failed"/>.</summary>
    public required string Outcome { get; set; }
    public required string Reason { get; set; }
    public string? Evidence { get; set; }
    public string? EvidenceFileName { get; set; }
    public string? EvidenceContentType { get; set; }
    public byte[]? EvidenceFile { get; set; }
    public long? EvidenceFileBytes { get; set; }
    public required string ResolvedBy { get; set; }
    public DateTimeOffset ResolvedAt { get; set; }

    public OrderResolutionDto ToDto() =>
        new(Id, DeliveryAttemptNo, Outcome, Reason, Evidence, EvidenceFileName, EvidenceFileBytes, ResolvedBy, ResolvedAt);
}
