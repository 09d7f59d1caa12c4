using System.Globalization;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MicoPortal.Shared.Incidents;
using Microsoft.Extensions.Options;
using MimeKit;

namespace MicoPortal.Server.Alerts;

/// <summary>
/// Sends each alert as a plain-text e-mail over SMTP (MailKit) to <c>Alerts:Email:To</c>. A connection per
/// alert: alerts are rare, and a long-lived connection would only time out between them.
/// </summary>
public sealed class EmailAlertChannel(IOptions<AlertOptions> options) : IAlertChannel
{
    public const string ChannelName = "Email";

    public string Name => ChannelName;

    public async Task SendAsync(IncidentAlert alert, CancellationToken cancellationToken)
    {
        // Host and From are checked at start-up whenever the channel is enabled (AlertOptionsValidation).
        var settings = options.Value.Email;
        using var message = Compose(alert, settings);
        using var smtp = new SmtpClient { Timeout = (int)TimeSpan.FromSeconds(settings.TimeoutSeconds).TotalMilliseconds };
        await smtp.ConnectAsync(settings.Host!, settings.Port, SocketOptions(settings.Security), cancellationToken);
        if (!string.IsNullOrEmpty(settings.User))
        {
            await smtp.AuthenticateAsync(settings.User, settings.Password ?? "", cancellationToken);
        }

        await smtp.SendAsync(message, cancellationToken);
        await smtp.DisconnectAsync(quit: true, cancellationToken);
    }

    /// <summary>Subject <see cref="IncidentAlert.Title"/>; the body lists the evidence.</summary>
    public static MimeMessage Compose(IncidentAlert alert, EmailChannelOptions settings)
    {
        var message = new MimeMessage { Subject = alert.Title };
        message.From.Add(MailboxAddress.Parse(settings.From!));
        foreach (var to in settings.To)
        {
            message.To.Add(MailboxAddress.Parse(to));
        }

        message.Body = new TextPart("plain") { Text = Body(alert) };
        return message;
    }

    public static string Body(IncidentAlert alert)
    {
        var incident = alert.Incident;
        var evidence = incident.Evidence;
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{IncidentWording.Metric(incident.Metric)} for {IncidentWording.Slice(incident.Slice)}: {alert.Change.ToString().ToLowerInvariant()}.")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Severity:  {incident.Severity}")
            .AppendLine(CultureInfo.InvariantCulture, $"Metric:    {incident.Metric}")
            .AppendLine(CultureInfo.InvariantCulture, $"SKU:       {incident.Slice.Sku ?? "all"}")
            .AppendLine(CultureInfo.InvariantCulture, $"Region:    {incident.Slice.Region ?? "all"}")
            .AppendLine(CultureInfo.InvariantCulture, $"Started:   {incident.StartedAt:u}")
            .AppendLine(CultureInfo.InvariantCulture, $"Resolved:  {(incident.ResolvedAt is { } resolved ? resolved.ToString("u", CultureInfo.InvariantCulture) : "still open")}")
            .AppendLine()
            .AppendLine("Evidence")
            .AppendLine(CultureInfo.InvariantCulture, $"  {evidence.Summary}")
            .AppendLine(CultureInfo.InvariantCulture, $"  observed {evidence.Observed:0.####}, baseline {evidence.Baseline:0.####}, score {evidence.Score:0.#} over {evidence.Samples} samples")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Incident {incident.Id}, {alert.EventType} at {alert.At:u}. MicoPortal alerts.");
        return text.ToString();
    }

    private static SecureSocketOptions SocketOptions(SmtpSecurity security) => security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTls,
    };
}
