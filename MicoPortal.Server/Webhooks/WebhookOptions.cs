using System.ComponentModel.DataAnnotations;

namespace MicoPortal.Server.Webhooks;

/// <summary>Webhooks to shops (section <c>Webhooks</c>, docs/api.md section 9).</summary>
public sealed class WebhookOptions : IValidatableObject
{
    public const string Section = "Webhooks";

    /// <summary>Off: no event is written to the outbox at all, for any shop.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Off: events are written but this instance does not send them (an instance that only takes orders, or a test).</summary>
    public bool SendEnabled { get; set; } = true;

    /// <summary>Per-request timeout: a shop that does not answer in time counts as a failed try.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Requests in flight at once on this instance, over all shops.</summary>
    [Range(1, 1_000)]
    public int Batch { get; set; } = 64;

    /// <summary>Requests in flight at once to one shop: a slow shop holds this many, never the whole <see cref="Batch"/>.</summary>
    [Range(1, 64)]
    public int Parallelism { get; set; } = 4;

    /// <summary>A failing event is tried at least this long after it was written, then marked failed (an admin can resend it).</summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Waits between tries (±20% jitter); the last one repeats. Empty means <see cref="DefaultBackoff"/>.</summary>
    public TimeSpan[] Backoff { get; set; } = [];

    /// <summary>Configuration appends to a non-empty default array instead of replacing it, so the default lives apart.</summary>
    public static readonly TimeSpan[] DefaultBackoff =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10),
        TimeSpan.FromMinutes(30), TimeSpan.FromHours(1),
    ];

    public IReadOnlyList<TimeSpan> EffectiveBackoff => Backoff.Length == 0 ? DefaultBackoff : Backoff;

    /// <summary>Failed tries in a row after which a shop's circuit opens: its events are not sent for <see cref="CircuitCooldown"/>.</summary>
    [Range(1, 10_000)]
    public int CircuitFailures { get; set; } = 10;

    /// <summary>How long an open circuit waits before one probe; doubles each time the probe fails, up to 16 times this.</summary>
    public TimeSpan CircuitCooldown { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a sender holds a claimed event; longer than <see cref="Timeout"/>, so a live sender never loses one.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Timeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Webhooks:Timeout must be positive.", [nameof(Timeout)]);
        }

        if (Lease <= Timeout)
        {
            yield return new ValidationResult("Webhooks:Lease must be longer than Webhooks:Timeout.", [nameof(Lease)]);
        }

        if (GiveUpAfter <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Webhooks:GiveUpAfter must be positive.", [nameof(GiveUpAfter)]);
        }

        if (CircuitCooldown <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Webhooks:CircuitCooldown must be positive.", [nameof(CircuitCooldown)]);
        }

        if (Backoff.Any(b => b <= TimeSpan.Zero))
        {
            yield return new ValidationResult("Every Webhooks:Backoff entry must be positive.", [nameof(Backoff)]);
        }
    }
}
