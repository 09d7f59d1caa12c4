using System.ComponentModel.DataAnnotations;

namespace MicoPortal.Server.Notifications;

public enum SmsGatewayKind
{
    /// <summary>No gateway: notifications are written and wait in the outbox (Pending) until one is configured.</summary>
    None,
    /// <summary>The built-in sink: stores messages in the portal's database and shows them on the admin page.</summary>
    Sandbox,
    Twilio,
}

/// <summary>Customer notifications (section <c>Notifications</c>).</summary>
public sealed class NotificationOptions : IValidatableObject
{
    public const string Section = "Notifications";

    /// <summary>Off: no notification is written at all (the outbox stays empty).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Unset: the sandbox sink where the sandbox provider is enabled, otherwise none.</summary>
    public SmsGatewayKind? Gateway { get; set; }

    /// <summary>Off: notifications are written but not sent by this instance (an instance that only takes orders, or a test).</summary>
    public bool SendEnabled { get; set; } = true;

    /// <summary>Notifications sent per round and in flight at once.</summary>
    [Range(1, 1_000)]
    public int Batch { get; set; } = 50;

    [Range(1, 64)]
    public int Parallelism { get; set; } = 8;

    /// <summary>How long a sender holds a claimed notification; longer than a slow gateway call, so a live sender never loses one.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Tries before a notification is given up as Failed (transient errors only; a permanent refusal fails at once).</summary>
    [Range(1, 50)]
    public int MaxTries { get; set; } = 8;

    /// <summary>Per-call timeout to the gateway.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long the sandbox sink takes per message, like a real gateway's round trip: half before it stores the
    /// message, half on the way back (so a crash can fall between the gateway's commit and the portal's record).
    /// </summary>
    public TimeSpan SandboxLatency { get; set; } = TimeSpan.Zero;

    public TwilioOptions Twilio { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Gateway == SmsGatewayKind.Twilio
            && (string.IsNullOrWhiteSpace(Twilio.AccountSid) || string.IsNullOrWhiteSpace(Twilio.AuthToken)
                || (string.IsNullOrWhiteSpace(Twilio.From) && string.IsNullOrWhiteSpace(Twilio.MessagingServiceSid))))
        {
            yield return new ValidationResult(
                "Notifications:Gateway=Twilio needs Notifications:Twilio:AccountSid, AuthToken and From (or MessagingServiceSid).",
                [nameof(Twilio)]);
        }

        if (Lease <= Timeout)
        {
            yield return new ValidationResult("Notifications:Lease must be longer than Notifications:Timeout.", [nameof(Lease)]);
        }
    }
}

/// <summary>Twilio's Messages API. The auth token is a secret: environment or a secret store only, never in git.</summary>
public sealed class TwilioOptions
{
    public string BaseUrl { get; set; } = "https://api.twilio.com";
    public string? AccountSid { get; set; }
    public string? AuthToken { get; set; }
    /// <summary>The sending number (E.164) or alphanumeric sender id.</summary>
    public string? From { get; set; }
    /// <summary>Instead of <see cref="From"/>: a messaging service that picks the sender.</summary>
    public string? MessagingServiceSid { get; set; }
}
