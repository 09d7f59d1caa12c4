using System.ComponentModel.DataAnnotations;
using MicoPortal.Shared.Incidents;
using Microsoft.Extensions.Options;
using MimeKit;

namespace MicoPortal.Server.Alerts;

/// <summary>
/// Alert channels for incidents (section <c>Alerts</c>). The log channel is on by default; webhook and
/// e-mail are off until configured. Secrets (<c>Webhook:Secret</c>, <c>Email:Password</c>) come from the
/// environment or a secret store, never from the committed appsettings.
/// </summary>
public sealed class AlertOptions
{
    public const string Section = "Alerts";

    /// <summary>Tries per alert and channel, the first included (then the alert is given up and logged).</summary>
    [Range(1, 10)]
    public int Attempts { get; set; } = 3;

    /// <summary>Wait before the second try; each later wait is five times the one before (1 s, 5 s, 25 s ...).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Alerts waiting per channel; when a channel falls this far behind, its oldest waiting alert is dropped.</summary>
    [Range(1, 100_000)]
    public int QueueCapacity { get; set; } = 1000;

    public WebhookChannelOptions Webhook { get; set; } = new();

    public EmailChannelOptions Email { get; set; } = new();

    public AlertChannelOptions Log { get; set; } = new() { Enabled = true };

    /// <summary>The settings of the channel called <paramref name="name"/> (<see cref="IAlertChannel.Name"/>).</summary>
    public AlertChannelOptions ChannelNamed(string name) => name switch
    {
        WebhookAlertChannel.ChannelName => Webhook,
        EmailAlertChannel.ChannelName => Email,
        LogAlertChannel.ChannelName => Log,
        _ => throw new InvalidOperationException($"The alert channel '{name}' has no settings under {Section}."),
    };

    public IEnumerable<(string Name, AlertChannelOptions Channel)> Channels =>
        [(WebhookAlertChannel.ChannelName, Webhook), (EmailAlertChannel.ChannelName, Email), (LogAlertChannel.ChannelName, Log)];
}

/// <summary>The rules every channel has: whether it is on, from which severity, when it keeps quiet, how it de-duplicates.</summary>
public class AlertChannelOptions
{
    public bool Enabled { get; set; }

    /// <summary>Least severity sent: <c>Critical</c> leaves warnings out (their resolution too).</summary>
    public IncidentSeverity MinSeverity { get; set; } = IncidentSeverity.Warning;

    public QuietHoursOptions QuietHours { get; set; } = new();

    /// <summary>
    /// The same change of the same incident is sent at most once in this many minutes, and an incident of the
    /// same metric and slice opened again within it (a flapping series) is not announced again. 0 turns it off.
    /// </summary>
    [Range(0, 7 * 24 * 60)]
    public int DeduplicateMinutes { get; set; } = 30;

    public TimeSpan DeduplicateWindow => TimeSpan.FromMinutes(DeduplicateMinutes);
}

/// <summary>A daily stretch (may span midnight, e.g. 22:00 to 07:00) in a time zone when warnings are held back.</summary>
public sealed class QuietHoursOptions
{
    public TimeOnly? From { get; set; }

    public TimeOnly? To { get; set; }

    /// <summary>A system time zone id (<c>UTC</c>, <c>Europe/Berlin</c>, <c>Asia/Dubai</c>).</summary>
    public string TimeZone { get; set; } = "UTC";

    public bool IsSet => From is not null && To is not null && From != To;

    public bool Contains(DateTimeOffset at)
    {
        if (!IsSet)
        {
            return false;
        }

        var local = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, TimeZoneInfo.FindSystemTimeZoneById(TimeZone)).DateTime);
        var (from, to) = (From!.Value, To!.Value);
        return from < to ? local >= from && local < to : local >= from || local < to;
    }
}

public sealed class WebhookChannelOptions : AlertChannelOptions
{
    /// <summary>Where the JSON is posted.</summary>
    public string? Url { get; set; }

    /// <summary>HMAC secret for <c>X-MicoPortal-Signature</c>; from the environment (<c>Alerts__Webhook__Secret</c>).</summary>
    public string? Secret { get; set; }

    [Range(1, 300)]
    public int TimeoutSeconds { get; set; } = 10;
}

public enum SmtpSecurity
{
    None,
    StartTls,
    SslOnConnect,
}

public sealed class EmailChannelOptions : AlertChannelOptions
{
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>Sign-in name; none means the server takes mail without signing in.</summary>
    public string? User { get; set; }

    /// <summary>From the environment (<c>Alerts__Email__Password</c>).</summary>
    public string? Password { get; set; }

    public string? From { get; set; }

    public List<string> To { get; set; } = [];

    [Range(1, 300)]
    public int TimeoutSeconds { get; set; } = 30;
}

/// <summary>What data annotations cannot say: what an enabled channel needs, and the nested channel settings.</summary>
internal sealed class AlertOptionsValidation : IValidateOptions<AlertOptions>
{
    public ValidateOptionsResult Validate(string? name, AlertOptions options)
    {
        var failures = new List<string>();
        foreach (var (channelName, channel) in options.Channels)
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(channel, new ValidationContext(channel), results, validateAllProperties: true);
            failures.AddRange(results.Select(r => $"{AlertOptions.Section}:{channelName}: {r.ErrorMessage}"));
            ValidateQuietHours(channelName, channel.QuietHours, failures);
        }

        var webhook = options.Webhook;
        if (webhook.Enabled)
        {
            if (!Uri.TryCreate(webhook.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                failures.Add("Alerts:Webhook:Url must be an absolute http(s) URL when the webhook channel is enabled.");
            }

            if (string.IsNullOrWhiteSpace(webhook.Secret))
            {
                failures.Add("Alerts:Webhook:Secret is required when the webhook channel is enabled (set it from the environment).");
            }
        }

        var email = options.Email;
        if (email.Enabled)
        {
            if (string.IsNullOrWhiteSpace(email.Host))
            {
                failures.Add("Alerts:Email:Host is required when the e-mail channel is enabled.");
            }

            if (!IsAddress(email.From))
            {
                failures.Add("Alerts:Email:From must be an e-mail address when the e-mail channel is enabled.");
            }

            if (email.To.Count == 0 || !email.To.All(IsAddress))
            {
                failures.Add("Alerts:Email:To must list at least one e-mail address when the e-mail channel is enabled.");
            }

            if (string.IsNullOrEmpty(email.User) != string.IsNullOrEmpty(email.Password))
            {
                failures.Add("Alerts:Email:User and Alerts:Email:Password go together.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateQuietHours(string channelName, QuietHoursOptions quiet, List<string> failures)
    {
        if ((quiet.From is null) != (quiet.To is null))
        {
            failures.Add($"Alerts:{channelName}:QuietHours needs both From and To (e.g. 22:00 and 07:00).");
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(quiet.TimeZone, out _))
        {
            failures.Add($"Alerts:{channelName}:QuietHours:TimeZone '{quiet.TimeZone}' is not a known time zone.");
        }
    }

    private static bool IsAddress(string? address) => !string.IsNullOrWhiteSpace(address) && MailboxAddress.TryParse(address, out var mailbox) && mailbox.Address.Contains('@');
}
