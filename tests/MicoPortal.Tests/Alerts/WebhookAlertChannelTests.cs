using System.Net.Http.Json;
using System.Text.Json;
using MicoPortal.Server.Alerts;
using MicoPortal.Server.Incidents;
using MicoPortal.Server.Providers;
using MicoPortal.Shared.Incidents;
using MicoPortal.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;
using static MicoPortal.Tests.Alerts.Alerting;

namespace MicoPortal.Tests.Alerts;

public sealed class WebhookAlertChannelTests(ITestOutputHelper output)
{
    private const string Secret = "test-webhook-secret";
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 5, 0, TimeSpan.Zero);

    [Fact]
    public async Task Posts_signed_camel_case_json_that_verifies_with_the_secret_and_not_without_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var channel = Channel(receiver.Url, new FakeTimeProvider(Now));

        await channel.SendAsync(Alert(Incident(42), IncidentChange.Opened, Now.AddSeconds(-1)), CancellationToken.None);

        var hook = Assert.Single(receiver.Received);
        Assert.StartsWith("application/json", hook.ContentType);
        var timestamp = long.Parse(hook.Timestamp, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Now.ToUnixTimeSeconds(), timestamp);
        Assert.Equal(ContractSignature.V1(Secret, timestamp, hook.Body), hook.Signature);

        using var json = JsonDocument.Parse(hook.Body);
        var root = json.RootElement;
        Assert.Equal("incident.opened", root.GetProperty("type").GetString());
        Assert.Equal("[Critical] Success rate drop for MICO-COINS-100 · MENA opened", root.GetProperty("title").GetString());
        Assert.Equal(Now, root.GetProperty("sentAt").GetDateTimeOffset());
        var incident = root.GetProperty("incident");
        Assert.Equal(42, incident.GetProperty("id").GetInt64());
        Assert.Equal("Critical", incident.GetProperty("severity").GetString());
        Assert.Equal(IncidentMetrics.SuccessRate, incident.GetProperty("metric").GetString());
        Assert.Equal("MICO-COINS-100", incident.GetProperty("slice").GetProperty("sku").GetString());
        Assert.Equal("MENA", incident.GetProperty("slice").GetProperty("region").GetString());
        Assert.Equal(120, incident.GetProperty("evidence").GetProperty("samples").GetInt64());
    }

    [Fact]
    public async Task A_server_error_throws_and_the_dispatcher_retries_until_it_is_taken()
    {
        await using var receiver = await WebhookReceiver.StartAsync(failFirst: 1);
        var time = new FakeTimeProvider(Now);
        var channel = Channel(receiver.Url, time);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => channel.SendAsync(Alert(Incident(7), IncidentChange.Resolved, Now), CancellationToken.None));
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, error.StatusCode);

        var receiverFailsOnceMore = await WebhookReceiver.StartAsync(failFirst: 1);
        await using (receiverFailsOnceMore)
        {
            await using var running = await StartAsync(Options(receiverFailsOnceMore.Url), time, Channel(receiverFailsOnceMore.Url, time));
            running.Dispatcher.Enqueue(Incident(7, resolvedAt: Now), IncidentChange.Resolved);

            Assert.True(await PortalClient.EventuallyAsync(() =>
            {
                time.Advance(TimeSpan.FromMilliseconds(500));
                return Task.FromResult(!receiverFailsOnceMore.Received.IsEmpty);
            }, TimeSpan.FromSeconds(20)), "the retry should reach the webhook");
            Assert.Equal(2, receiverFailsOnceMore.Calls);
            var hook = Assert.Single(receiverFailsOnceMore.Received);
            Assert.Equal("incident.resolved", JsonDocument.Parse(hook.Body).RootElement.GetProperty("type").GetString());
        }
    }

    [Fact]
    public async Task An_incident_raised_by_the_real_pipeline_reaches_the_configured_webhook()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var factory = new PortalFactory(PortalFactory.NewDataDirectory(), new Dictionary<string, string?>
        {
            ["Incidents:EvaluateEverySeconds"] = "1",
            ["Incidents:MinOrders"] = "8",
            ["Alerts:Webhook:Enabled"] = "true",
            ["Alerts:Webhook:Url"] = receiver.Url,
            ["Alerts:Webhook:Secret"] = Secret,
        }, output);
        var shop = factory.ShopClient();

        // Twelve orders whose accounts the sandbox rejects (user ids ending in 91): all Failed, a success-rate incident.
        for (var i = 0; i < 12; i++)
        {
            var order = PortalClient.NewOrder(micoUserId: $"1234{i:00}91") with { Region = "MENA", Sku = "MICO-COINS-100" };
            (await shop.PostAsJsonAsync("/api/v1/orders", order)).EnsureSuccessStatusCode();
        }

        Assert.True(await PortalClient.EventuallyAsync(() => Task.FromResult(!receiver.Received.IsEmpty), TimeSpan.FromSeconds(40)), "the webhook should hear of the incident");
        var hook = receiver.Received.First();
        Assert.Equal(ContractSignature.V1(Secret, long.Parse(hook.Timestamp, System.Globalization.CultureInfo.InvariantCulture), hook.Body), hook.Signature);
        var alert = JsonSerializer.Deserialize<WebhookAlert>(hook.Body, WebhookAlertChannel.Json)!;
        Assert.Equal("incident.opened", alert.Type);
        Assert.Equal(IncidentMetrics.SuccessRate, alert.Incident.Metric);
        Assert.Equal(new IncidentSlice("MICO-COINS-100", "MENA"), alert.Incident.Slice);
        Assert.Equal(IncidentSeverity.Critical, alert.Incident.Severity);
    }

    [Fact]
    public async Task The_configured_client_gives_up_on_a_webhook_that_does_not_answer_within_its_timeout()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Hang = true;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Alerts:Webhook:Enabled"] = "true",
            ["Alerts:Webhook:Url"] = receiver.Url,
            ["Alerts:Webhook:Secret"] = Secret,
            ["Alerts:Webhook:TimeoutSeconds"] = "1",
        }).Build();
        await using var services = new ServiceCollection().AddLogging().AddAlerts(configuration).BuildServiceProvider();
        var channel = new WebhookAlertChannel(services.GetRequiredService<IHttpClientFactory>(), services.GetRequiredService<IOptions<AlertOptions>>(), new FakeTimeProvider(Now));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => channel.SendAsync(Alert(Incident(9), IncidentChange.Opened, Now), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15)));

        Assert.Equal("The alert webhook did not answer within 1 s.", error.Message);
        Assert.Equal(1, receiver.Calls);
    }

    private static AlertOptions Options(string url) => new()
    {
        Webhook = { Enabled = true, Url = url, Secret = Secret, TimeoutSeconds = 5 },
        Log = { Enabled = false },
    };

    private static WebhookAlertChannel Channel(string url, TimeProvider time) =>
        new(new PlainHttpClientFactory(), Microsoft.Extensions.Options.Options.Create(Options(url)), time);
}
