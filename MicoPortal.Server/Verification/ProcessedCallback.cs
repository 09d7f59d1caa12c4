namespace MicoPortal.Server.Verification;

/// <summary>A callback event id already applied; a second delivery of the same event is ignored.</summary>
public sealed class ProcessedCallback
{
    public required string EventId { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}
