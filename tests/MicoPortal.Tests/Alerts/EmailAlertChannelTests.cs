using MicoPortal.Server.Alerts;
using MicoPortal.Server.Incidents;
using MicoPortal.Shared.Incidents;
using Microsoft.Extensions.Options;
using static MicoPortal.Tests.Alerts.Alerting;

namespace MicoPortal.Tests.Alerts;

public sealed class EmailAlertChannelTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 5, 0, TimeSpan.Zero);

    [Fact]
    public async Task MailKit_delivers_the_alert_to_an_smtp_server_with_subject_recipients_and_evidence()
    {
        await using var smtp = new SmtpTestServer();
        var options = new AlertOptions
        {
            Email =
            {
                Enabled = true, Host = "127.0.0.1", Port = smtp.Port, Security = SmtpSecurity.None,
                From = "MicoPortal <alerts@micoportal.test>", To = ["ops@micoportal.test", "oncall@micoportal.test"], TimeoutSeconds = 10,
            },
        };
        var channel = new EmailAlertChannel(Options.Create(options));

        await channel.SendAsync(Alert(Incident(42), IncidentChange.Opened, Now), CancellationToken.None);

        var delivery = Assert.Single(smtp.Deliveries);
        Assert.Equal("alerts@micoportal.test", delivery.From);
        Assert.Equal(["ops@micoportal.test", "oncall@micoportal.test"], delivery.To);
        Assert.Equal("[Critical] Success rate drop for MICO-COINS-100 · MENA opened", delivery.Message.Subject);
        Assert.Equal(["ops@micoportal.test", "oncall@micoportal.test"], delivery.Message.To.Mailboxes.Select(m => m.Address));
        var body = delivery.Message.TextBody;
        Assert.Contains("success rate 40.0 % against 98.0 % over 120 orders", body);
        Assert.Contains("observed 0.4, baseline 0.98, score -9.5 over 120 samples", body);
        Assert.Contains("Incident 42, incident.opened at 2026-11-24 10:05:00Z", body);
    }

    [Fact]
    public async Task An_unreachable_smtp_server_throws_so_the_dispatcher_can_retry()
    {
        var port = new SmtpTestServer();
        var closedPort = port.Port;
        await port.DisposeAsync();
        var options = new AlertOptions { Email = { Enabled = true, Host = "127.0.0.1", Port = closedPort, Security = SmtpSecurity.None, From = "alerts@micoportal.test", To = ["ops@micoportal.test"] } };

        await Assert.ThrowsAnyAsync<Exception>(() => new EmailAlertChannel(Options.Create(options)).SendAsync(Alert(Incident(1, IncidentSeverity.Warning), IncidentChange.Escalated, Now), CancellationToken.None));
    }

    [Fact]
    public void The_subject_names_severity_metric_slice_and_change()
    {
        var alert = Alert(Incident(5, IncidentSeverity.Warning, IncidentMetrics.LatencyP95, region: "GLOBAL", resolvedAt: Now), IncidentChange.Resolved, Now);
        using var message = EmailAlertChannel.Compose(alert, new EmailChannelOptions { From = "alerts@micoportal.test", To = ["ops@micoportal.test"] });

        Assert.Equal("[Warning] Latency spike for MICO-COINS-100 · GLOBAL resolved", message.Subject);
        Assert.Contains("Resolved:  2026-11-24 10:05:00Z", message.TextBody);
    }
}
