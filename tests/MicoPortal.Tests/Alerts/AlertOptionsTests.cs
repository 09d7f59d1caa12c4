using MicoPortal.Server.Alerts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MicoPortal.Tests.Alerts;

public sealed class AlertOptionsTests
{
    [Fact]
    public void By_default_only_the_log_channel_is_on_and_the_settings_are_valid()
    {
        var options = Resolve([]);

        Assert.True(options.Log.Enabled);
        Assert.False(options.Webhook.Enabled);
        Assert.False(options.Email.Enabled);
    }

    [Fact]
    public void Settings_bind_from_configuration_including_quiet_hours_and_recipients()
    {
        var options = Resolve(new()
        {
            ["Alerts:Email:Enabled"] = "true",
            ["Alerts:Email:Host"] = "smtp.example",
            ["Alerts:Email:Security"] = "SslOnConnect",
            ["Alerts:Email:From"] = "alerts@example.com",
            ["Alerts:Email:To:0"] = "ops@example.com",
            ["Alerts:Email:To:1"] = "oncall@example.com",
            ["Alerts:Email:MinSeverity"] = "Critical",
            ["Alerts:Email:QuietHours:From"] = "22:00",
            ["Alerts:Email:QuietHours:To"] = "07:00",
            ["Alerts:Email:QuietHours:TimeZone"] = "Europe/Berlin",
            ["Alerts:Email:DeduplicateMinutes"] = "60",
        });

        Assert.Equal(SmtpSecurity.SslOnConnect, options.Email.Security);
        Assert.Equal(["ops@example.com", "oncall@example.com"], options.Email.To);
        Assert.Equal(Shared.Incidents.IncidentSeverity.Critical, options.Email.MinSeverity);
        Assert.Equal(new TimeOnly(22, 0), options.Email.QuietHours.From);
        Assert.Equal(new TimeOnly(7, 0), options.Email.QuietHours.To);
        Assert.Equal(TimeSpan.FromHours(1), options.Email.DeduplicateWindow);
    }

    [Theory]
    [InlineData("Alerts:Webhook:Enabled", "true", "Alerts:Webhook:Secret")]
    [InlineData("Alerts:Email:Enabled", "true", "Alerts:Email:Host")]
    [InlineData("Alerts:Log:QuietHours:From", "22:00", "needs both From and To")]
    [InlineData("Alerts:Log:QuietHours:TimeZone", "Mars/Olympus", "not a known time zone")]
    [InlineData("Alerts:Log:DeduplicateMinutes", "-1", "DeduplicateMinutes")]
    public void Incomplete_settings_fail_at_start_up(string key, string value, string message)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { [key] = value }));
        Assert.Contains(error.Failures, f => f.Contains(message, StringComparison.Ordinal));
    }

    private static AlertOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddLogging().AddSingleton(TimeProvider.System).AddAlerts(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<AlertOptions>>().Value;
    }
}
