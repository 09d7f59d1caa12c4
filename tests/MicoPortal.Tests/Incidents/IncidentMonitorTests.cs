using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using MicoPortal.Server.Alerts;
using MicoPortal.Server.Data;
using MicoPortal.Server.Incidents;
using MicoPortal.Server.Metrics;
using MicoPortal.Server.Realtime;
using MicoPortal.Shared.Incidents;
using MicoPortal.Shared.Metrics;
using MicoPortal.Shared.Realtime;
using MicoPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Incidents;

public sealed class IncidentMonitorTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Failing_deliveries_on_the_real_pipeline_open_an_incident_that_reaches_the_api_and_the_hub()
    {
        await using var factory = new PortalFactory(PortalFactory.NewDataDirectory(), new Dictionary<string, string?>
        {
            ["Incidents:EvaluateEverySeconds"] = "1",
            ["Incidents:MinOrders"] = "8",
        }, output);
        var (operations, cookies) = await factory.SignInAsync(PortalClient.Operations);
        await using var hub = await ConnectAsync(factory, cookies);
        var pushed = new ConcurrentQueue<IncidentDto>();
        hub.On<IncidentDto[]>(nameof(IOperationsDashboard.IncidentsChanged), incidents => { foreach (var i in incidents) { pushed.Enqueue(i); } });
        var shop = factory.ShopClient();

        // Twelve orders for one SKU in MENA whose accounts the sandbox rejects (user ids ending in 91): all Failed.
        for (var i = 0; i < 12; i++)
        {
            var order = PortalClient.NewOrder(micoUserId: $"1234{i:00}91") with { Region = "MENA", Sku = "MICO-COINS-100" };
            (await shop.PostAsJsonAsync("/api/v1/orders", order)).EnsureSuccessStatusCode();
        }

        IncidentList? open = null;
        var raised = await PortalClient.EventuallyAsync(async () =>
        {
            open = await operations.GetFromJsonAsync<IncidentList>("/api/v1/incidents?state=open", PortalClient.Json);
            return open!.Items.Any(i => i.Metric == IncidentMetrics.SuccessRate);
        }, TimeSpan.FromSeconds(40));

        Assert.True(raised, "a success-rate incident should open");
        var incident = Assert.Single(open!.Items, i => i.Metric == IncidentMetrics.SuccessRate);
        Assert.Equal(new IncidentSlice("MICO-COINS-100", "MENA"), incident.Slice);
        Assert.Equal(IncidentSeverity.Critical, incident.Severity);
        Assert.Equal(0, incident.Evidence.Observed);
        Assert.Null(incident.ResolvedAt);
        Assert.True(await PortalClient.EventuallyAsync(() => Task.FromResult(pushed.Any(p => p.Id == incident.Id)), TimeSpan.FromSeconds(30)), "pushed over the hub");
        var summary = await operations.GetFromJsonAsync<MetricsSummary>("/api/v1/metrics/summary", PortalClient.Json);
        Assert.Equal(1.0, summary!.AutomationRate); // nobody touched these orders
    }

    [Fact]
    public async Task An_incident_opens_on_a_brown_out_in_the_rollups_updates_while_it_lasts_and_resolves_after_recovery()
    {
        await using var factory = new PortalFactory(PortalFactory.NewDataDirectory(), new Dictionary<string, string?> { ["Incidents:Enabled"] = "false" }, output);
        factory.StartServer();
        var dbFactory = factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var time = new FakeTimeProvider(Start);
        var monitor = new IncidentMonitor(dbFactory, Options.Create(new IncidentOptions { WarmUpHours = 1 }),
            factory.Services.GetRequiredService<IHubContext<OperationsHub, IOperationsDashboard>>(), time, NullLogger<IncidentMonitor>.Instance,
            factory.Services.GetRequiredService<AlertDispatcher>());

        // An hour of normal traffic, counted by two instances (their rows are added up).
        for (var minute = -60; minute < 0; minute++)
        {
            await AddMinuteAsync(dbFactory, minute, delivered: 40, failed: minute % 3 == 0 ? 1 : 0);
        }

        Assert.Empty(await monitor.EvaluateAsync(CancellationToken.None));

        // Half the orders fail.
        await AddMinuteAsync(dbFactory, 0, delivered: 20, failed: 20);
        time.SetUtcNow(Start.AddSeconds(50));
        var opened = Assert.Single(await monitor.EvaluateAsync(CancellationToken.None));
        Assert.Equal(IncidentMetrics.SuccessRate, opened.Metric);
        Assert.Equal(new IncidentSlice("MICO-COINS-500", "GLOBAL"), opened.Slice);
        Assert.Equal(IncidentSeverity.Critical, opened.Severity);
        Assert.Equal(0.75, opened.Evidence.Observed); // the window: 09:59 (40 of 40) and 10:00 (20 of 40)

        await AddMinuteAsync(dbFactory, 1, delivered: 20, failed: 20);
        time.SetUtcNow(Start.AddSeconds(90));
        var updated = Assert.Single(await monitor.EvaluateAsync(CancellationToken.None));
        Assert.Equal(opened.Id, updated.Id);
        Assert.Equal(80, updated.Evidence.Samples);

        // Recovery: resolved only once normal for ResolveAfter (3 minutes), and exactly once.
        IncidentDto? resolved = null;
        for (var minute = 2; minute < 12 && resolved is null; minute++)
        {
            await AddMinuteAsync(dbFactory, minute, delivered: 40, failed: 0);
            time.SetUtcNow(Start.AddMinutes(minute).AddSeconds(30));
            resolved = (await monitor.EvaluateAsync(CancellationToken.None)).SingleOrDefault(i => i.ResolvedAt is not null);
        }

        Assert.NotNull(resolved);
        Assert.Equal(opened.Id, resolved.Id);
        Assert.InRange(resolved.ResolvedAt!.Value - Start, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(8));
        var (admin, _) = await factory.SignInAsync(PortalClient.Admin);
        var history = await admin.GetFromJsonAsync<IncidentList>("/api/v1/incidents?state=resolved", PortalClient.Json);
        Assert.Equal(opened.Id, Assert.Single(history!.Items).Id);
        Assert.Empty((await admin.GetFromJsonAsync<IncidentList>("/api/v1/incidents?state=open", PortalClient.Json))!.Items);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/v1/incidents?state=sometimes")).StatusCode);
    }

    [Fact]
    public async Task Two_instances_cannot_hold_the_same_incident_open_twice()
    {
        await using var factory = new PortalFactory(PortalFactory.NewDataDirectory(), new Dictionary<string, string?> { ["Incidents:Enabled"] = "false" }, output);
        factory.StartServer();
        var dbFactory = factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            db.Incidents.Add(NewIncident());
            await db.SaveChangesAsync();
        }

        await using var other = await dbFactory.CreateDbContextAsync();
        other.Incidents.Add(NewIncident());

        await Assert.ThrowsAsync<DbUpdateException>(() => other.SaveChangesAsync());
    }

    private static Incident NewIncident() => new()
    {
        Metric = IncidentMetrics.SuccessRate,
        Sku = "s",
        Region = "GLOBAL",
        StartedAt = Start,
        UpdatedAt = Start,
        OpenSeries = "successRate|s|GLOBAL",
        Summary = "test",
    };

    private static async Task AddMinuteAsync(IDbContextFactory<PortalDbContext> dbFactory, int minute, long delivered, long failed)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        for (var instance = 0; instance < 2; instance++)
        {
            var latency = new LatencyHistogram();
            latency.Add(900, delivered / 2);
            db.MetricsMinutes.Add(new MetricsMinute
            {
                Minute = Start.AddMinutes(minute),
                Sku = "MICO-COINS-500",
                Region = "GLOBAL",
                Instance = $"instance-{instance}",
                Delivered = delivered / 2,
                Failed = failed / 2 + (instance == 0 ? failed % 2 : 0),
                LatencyBuckets = latency.Serialize(),
            });
        }

        await db.SaveChangesAsync();
    }

    private static async Task<HubConnection> ConnectAsync(PortalFactory factory, CookieContainer cookies)
    {
        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(factory.RootUri, "/hubs/operations"), o => { o.Cookies = cookies; o.Headers["Origin"] = PortalClient.OriginOf(factory.RootUri); })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()))
            .Build();
        await hub.StartAsync();
        return hub;
    }
}
