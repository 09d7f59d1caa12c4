using System.Net.Http.Json;
using MicoPortal.Server.Orders;
using MicoPortal.Server.Providers;
using MicoPortal.Server.Providers.Sandbox;
using MicoPortal.Shared.Audit;
using MicoPortal.Shared.Incidents;
using MicoPortal.Shared.Orders;
using MicoPortal.Shared.Providers;
using MicoPortal.Shared.Reconciliation;
using MicoPortal.Tests.Alerts;
using MicoPortal.Tests.Infrastructure;
using MicoPortal.Tests.Pipeline;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Providers;

/// <summary>
/// Two real provider servers (the sandbox twice, each with its own records): provider <c>default</c> (A, tried
/// first) and provider <c>b</c> (B). Every judgement is made from the providers' own ledgers, not the portal's.
/// </summary>
[Collection(EndToEndRuns.Name)]
public class SeveralProvidersTests(ITestOutputHelper output)
{
    private static async Task<List<Order>> OrdersAsync(PortalFactory portal, string prefix) =>
        await portal.WithDbAsync(db => db.Orders.AsNoTracking().Where(o => o.ExternalId.StartsWith(prefix)).ToListAsync());

    private static async Task PlaceAsync(HttpClient shop, IEnumerable<CreateOrderRequest> orders)
    {
        foreach (var chunk in orders.Chunk(200))
        {
            (await shop.PostAsJsonAsync("/api/v1/orders/batch", new CreateOrderBatchRequest(chunk))).EnsureSuccessStatusCode();
        }
    }

    private static Task<bool> AllFinalAsync(PortalFactory portal, string prefix, int count) =>
        PortalClient.EventuallyAsync(async () => (await OrdersAsync(portal, prefix)).Count(o => o.Status.IsFinal()) == count, TimeSpan.FromSeconds(90));

    /// <summary>The references each order has at one provider, and how many of them the provider delivered.</summary>
    private static Dictionary<long, (int Refs, int Committed, int Success)> AtProvider(SandboxLedger ledger)
    {
        var byOrder = new Dictionary<long, (int Refs, int Committed, int Success)>();
        foreach (var (clientRef, counts) in ledger.AllCreateCounts())
        {
            Assert.True(Order.TryParseClientRef(clientRef, out var orderId, out _), $"{clientRef} is not a portal reference");
            var (refs, committed, success) = byOrder.GetValueOrDefault(orderId);
            var delivered = ledger.GetTruth(clientRef)?.Status == ProviderStatuses.Success ? 1 : 0;
            byOrder[orderId] = (refs + 1, committed + counts.Committed, success + delivered);
        }

        return byOrder;
    }

    [Fact]
    public async Task Orders_that_provider_A_fails_for_its_own_reason_are_delivered_once_by_B_on_attempt_two()
    {
        await using var a = await ProviderHost.StartAsync(new Dictionary<string, string?> { ["Sandbox:Faults:OutOfStockRate"] = "0.6" });
        await using var b = await ProviderHost.StartAsync();
        await using var portal = new PortalFactory(PortalFactory.NewDataDirectory(), a.PortalSettingsWith(b), output);
        var shop = portal.ShopClient();

        const int count = 200;
        await PlaceAsync(shop, Enumerable.Range(0, count).Select(i => PortalClient.NewOrder($"fo-{i}", ScenarioExpectations.UserId(10, i))));
        Assert.True(await AllFinalAsync(portal, "fo-", count), "every order should reach a final status");

        var orders = await OrdersAsync(portal, "fo-");
        var atA = AtProvider(a.Ledger);
        var atB = AtProvider(b.Ledger);
        var failedOver = orders.Where(o => atB.ContainsKey(o.Id)).ToList();
        output.WriteLine($"{orders.Count(o => o.Status == OrderStatus.Delivered)} delivered, {failedOver.Count} failed over to b; " +
            $"{atA.Count} orders at default, {atB.Count} at b");

        Assert.All(orders, o => Assert.Equal(OrderStatus.Delivered, o.Status));
        foreach (var order in orders)
        {
            var (refsA, committedA, successA) = atA.GetValueOrDefault(order.Id);
            var (refsB, committedB, successB) = atB.GetValueOrDefault(order.Id);
            // Tried first at A, once; at most one attempt at B; delivered at exactly one of them.
            Assert.True(refsA == 1 && committedA == 1, $"order {order.Id}: {refsA} references, {committedA} creates committed at default");
            Assert.True(refsB <= 1 && committedB <= 1, $"order {order.Id}: {refsB} references, {committedB} creates committed at b");
            Assert.True(successA + successB == 1, $"order {order.Id}: SUCCESS at default {successA}, at b {successB}");
            if (successA == 0)
            {
                // Failed over: A's own record says OUT_OF_STOCK for attempt 1, B delivered attempt 2.
                Assert.Equal("OUT_OF_STOCK", a.Ledger.GetTruth($"{order.Id}-1")?.ReasonCode);
                Assert.Equal(2, order.AttemptNo);
                Assert.Equal("b", order.Provider);
                Assert.Equal(ProviderStatuses.Success, b.Ledger.GetTruth($"{order.Id}-2")?.Status);
            }
            else
            {
                Assert.Equal((1, "default"), (order.AttemptNo, order.Provider));
                Assert.Equal(0, refsB);
            }
        }

        // About 60% of A's orders were out of stock; every one of them went to B.
        Assert.InRange(failedOver.Count, count * 4 / 10, count * 8 / 10);
        var attempts = await portal.WithDbAsync(db => db.OrderAttempts.AsNoTracking().Where(x => x.Kind == AttemptKind.Create).ToListAsync());
        Assert.All(attempts, x => Assert.Equal(x.DeliveryAttemptNo == 1 ? "default" : "b", x.Provider));
    }

    [Fact]
    public async Task An_order_whose_outcome_at_A_is_unknown_is_never_sent_to_B_and_is_delivered_once_by_A()
    {
        await using var a = await ProviderHost.StartAsync();
        await using var b = await ProviderHost.StartAsync();
        var settings = a.PortalSettingsWith(b);
        settings["Provider:CreateTimeout"] = "00:00:02";
        await using var portal = new PortalFactory(PortalFactory.NewDataDirectory(), settings, output);

        // Scenario 93: A commits the create, then drops the connection; the portal's create ends Unknown.
        const int count = 30;
        await PlaceAsync(portal.ShopClient(), Enumerable.Range(0, count).Select(i => PortalClient.NewOrder($"un-{i}", ScenarioExpectations.UserId(93, i))));
        Assert.True(await AllFinalAsync(portal, "un-", count), "every order should be resolved by asking A");

        var orders = await OrdersAsync(portal, "un-");
        var atA = AtProvider(a.Ledger);
        var atB = AtProvider(b.Ledger);
        var unknownAttempts = await portal.WithDbAsync(db => db.OrderAttempts.AsNoTracking()
            .Where(x => x.Kind == AttemptKind.Create && x.Provider == "default" && x.Outcome.StartsWith("outcome unknown")).Select(x => x.OrderId).Distinct().ToListAsync());
        output.WriteLine($"{unknownAttempts.Count} orders whose create at default ended unknown; {atB.Count} orders at b " +
            "(sent there first: A's circuit opens once most of its calls fail, and then new attempts go to b, where scenario 93 behaves the same)");

        Assert.True(unknownAttempts.Count >= count / 2, $"the scenario should leave creates unknown ({unknownAttempts.Count})");
        Assert.All(orders, o => Assert.Equal(OrderStatus.Delivered, o.Status));
        foreach (var order in orders)
        {
            var (refsA, committedA, successA) = atA.GetValueOrDefault(order.Id);
            var (refsB, committedB, successB) = atB.GetValueOrDefault(order.Id);
            // Delivered once, in one attempt, at one provider; an order whose outcome at A was unknown never reaches B.
            Assert.True(successA + successB == 1 && order.AttemptNo == 1, $"order {order.Id}: SUCCESS at default {successA}, at b {successB}, attempt {order.AttemptNo}");
            Assert.True(refsA + refsB == 1 && committedA + committedB == 1, $"order {order.Id}: {refsA} references at default, {refsB} at b");
            if (unknownAttempts.Contains(order.Id))
            {
                Assert.Equal((0, "default"), (refsB, order.Provider));
            }
        }
    }

    [Fact]
    public async Task Pausing_A_stops_every_create_to_it_from_the_answer_on_and_resuming_brings_it_back()
    {
        await using var a = await ProviderHost.StartAsync();
        await using var b = await ProviderHost.StartAsync();
        await using var portal = new PortalFactory(PortalFactory.NewDataDirectory(), a.PortalSettingsWith(b), output);
        var shop = portal.ShopClient();
        var (admin, _) = await portal.SignInAsync(PortalClient.Admin);

        // Orders keep arriving while A is paused mid-run.
        using var feeding = new CancellationTokenSource();
        var placed = 0;
        var feeder = Task.Run(async () =>
        {
            while (!feeding.IsCancellationRequested)
            {
                var batch = Enumerable.Range(placed, 20).Select(i => PortalClient.NewOrder($"pa-{i}", ScenarioExpectations.UserId(10, i))).ToList();
                await PlaceAsync(shop, batch);
                placed += batch.Count;
                await Task.Delay(100);
            }
        });
        Assert.True(await PortalClient.EventuallyAsync(() => Task.FromResult(a.Ledger.AllCreateCounts().Count >= 60), TimeSpan.FromSeconds(30)), "A should be taking orders first");

        var pause = await admin.PostAsJsonAsync("/api/v1/providers/default/pause", new PauseProviderRequest("float top-up"));
        var pausedAt = DateTimeOffset.UtcNow;
        Assert.Equal(System.Net.HttpStatusCode.OK, pause.StatusCode);
        Assert.True((await pause.ReadAsync<ProviderDto>()).Paused);
        var atBBefore = b.Ledger.AllCreateCounts().Count;
        Assert.True(await PortalClient.EventuallyAsync(() => Task.FromResult(b.Ledger.AllCreateCounts().Count >= atBBefore + 100), TimeSpan.FromSeconds(30)),
            "orders should flow to B while A is paused");

        var resume = await admin.PostAsync("/api/v1/providers/default/resume", null);
        var resumedAt = DateTimeOffset.UtcNow;
        Assert.Equal(System.Net.HttpStatusCode.OK, resume.StatusCode);
        Assert.True(await PortalClient.EventuallyAsync(() => Task.FromResult(a.Ledger.CreateArrivals().Any(c => c.At > resumedAt)), TimeSpan.FromSeconds(30)),
            "A should take orders again after the resume");
        await feeding.CancelAsync();
        await feeder;
        Assert.True(await AllFinalAsync(portal, "pa-", placed), "every order should be delivered");

        var arrivalsAtA = a.Ledger.CreateArrivals();
        var duringPause = arrivalsAtA.Where(c => c.At > pausedAt && c.At < resumedAt).ToList();
        output.WriteLine($"{placed} orders; creates at default: {arrivalsAtA.Count(c => c.At <= pausedAt)} before the pause answer, " +
            $"{duringPause.Count} while paused, {arrivalsAtA.Count(c => c.At >= resumedAt)} after the resume; at b: {b.Ledger.AllCreateCounts().Count}");
        Assert.Empty(duringPause);
        Assert.All(await OrdersAsync(portal, "pa-"), o => Assert.Equal(OrderStatus.Delivered, o.Status));

        var audit = await portal.WithDbAsync(db => db.AuditEntries.AsNoTracking()
            .Where(e => e.Action == AuditActions.ProviderPaused || e.Action == AuditActions.ProviderResumed).OrderBy(e => e.Id).ToListAsync());
        Assert.Equal([AuditActions.ProviderPaused, AuditActions.ProviderResumed], audit.Select(e => e.Action));
        Assert.All(audit, e => Assert.Equal(PortalClient.Admin, e.Actor));
        Assert.Contains("float top-up", audit[0].Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_float_under_LowBalance_opens_a_lowBalance_incident_that_the_alert_webhook_hears_of()
    {
        await using var a = await ProviderHost.StartAsync(new Dictionary<string, string?> { ["Sandbox:Balance"] = "250.00" });
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = a.PortalSettings();
        settings["Provider:LowBalance"] = "1000";
        settings["Verification:BalanceCheckInterval"] = "00:00:01";
        settings["Alerts:Webhook:Enabled"] = "true";
        settings["Alerts:Webhook:Url"] = receiver.Url;
        settings["Alerts:Webhook:Secret"] = "it-alert-secret";
        await using var portal = new PortalFactory(PortalFactory.NewDataDirectory(), settings, output);
        portal.StartServer(); // the monitor runs from start-up; no orders needed

        Assert.True(await PortalClient.EventuallyAsync(() => Task.FromResult(!receiver.Received.IsEmpty), TimeSpan.FromSeconds(30)), "the webhook should hear of the low float");
        var alert = System.Text.Json.JsonDocument.Parse(receiver.Received.First().Body).RootElement;
        output.WriteLine(alert.ToString());
        Assert.Equal("incident.opened", alert.GetProperty("type").GetString());
        Assert.Equal(IncidentMetrics.LowBalance, alert.GetProperty("incident").GetProperty("metric").GetString());

        var incident = await portal.WithDbAsync(db => db.Incidents.AsNoTracking().SingleAsync(i => i.Metric == IncidentMetrics.LowBalance));
        Assert.Equal(("default", 250.0, 1000.0), (incident.Provider, incident.Observed, incident.Baseline));
        Assert.Null(incident.ResolvedAt);
        var providers = await (await portal.SignInAsync(PortalClient.Operations)).Client.GetFromJsonAsync<ProviderListResponse>("/api/v1/providers", PortalClient.Json);
        var listed = Assert.Single(providers!.Items);
        Assert.Equal(("250.00", "1000.00", true), (listed.Balance, listed.LowBalance, listed.BalanceLow));

        // Topped up: the incident resolves.
        a.Ledger.SetBalance(5000m);
        Assert.True(await PortalClient.EventuallyAsync(() => portal.WithDbAsync(db => db.Incidents.AnyAsync(i => i.Metric == IncidentMetrics.LowBalance && i.ResolvedAt != null)),
            TimeSpan.FromSeconds(30)), "the incident should resolve once the float is back above the threshold");
    }

    [Fact]
    public async Task Each_providers_log_reconciles_against_the_orders_sent_to_it_and_only_those()
    {
        await using var a = await ProviderHost.StartAsync(new Dictionary<string, string?> { ["Sandbox:Faults:OutOfStockRate"] = "0.5" });
        await using var b = await ProviderHost.StartAsync();
        await using var portal = new PortalFactory(PortalFactory.NewDataDirectory(), a.PortalSettingsWith(b), output);
        var from = DateTimeOffset.UtcNow.AddMinutes(-1);
        const int count = 60;
        await PlaceAsync(portal.ShopClient(), Enumerable.Range(0, count).Select(i => PortalClient.NewOrder($"rc-{i}", ScenarioExpectations.UserId(10, i))));
        Assert.True(await AllFinalAsync(portal, "rc-", count), "every order should be delivered");
        var to = DateTimeOffset.UtcNow.AddMinutes(1);
        var (admin, _) = await portal.SignInAsync(PortalClient.Admin);

        async Task<ReconciliationDto> ReconcileAsync(SandboxLedger ledger, string provider)
        {
            var file = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(ledger.ExportCsv(from, to)));
            file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
            var response = await admin.PostAsync($"/api/v1/reconciliations?provider={provider}", new MultipartFormDataContent { { file, "file", $"{provider}.csv" } });
            Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
            var id = (await response.ReadAsync<ReconciliationCreated>()).Id;
            ReconciliationDto? run = null;
            Assert.True(await PortalClient.EventuallyAsync(async () =>
            {
                run = await admin.GetFromJsonAsync<ReconciliationDto>($"/api/v1/reconciliations/{id}", PortalClient.Json);
                return run!.State is ReconciliationState.Completed or ReconciliationState.Failed;
            }, TimeSpan.FromSeconds(30)), "the reconciliation should finish");
            output.WriteLine($"{provider}'s log: {run!.Rows} rows, {run.Matched} matched, {run.MissingAtProvider} missing at provider, " +
                $"{run.MissingInPortal} missing in portal, {run.StatusMismatch} status mismatches");
            return run;
        }

        var atB = b.Ledger.AllCreateCounts().Count;
        var ofA = await ReconcileAsync(a.Ledger, "default");
        var ofB = await ReconcileAsync(b.Ledger, "b");
        Assert.True(atB > 0, "some orders should have failed over to b");
        // A lists every order (its failed attempts agree with the failover), B lists exactly the failed-over ones.
        Assert.Equal((count, count, 0L, 0L, 0L), (ofA.Rows, ofA.Matched, ofA.MissingAtProvider, ofA.StatusMismatch, ofA.MissingInPortal));
        Assert.Equal((atB, atB, 0L, 0L), (ofB.Rows, ofB.Matched, ofB.MissingAtProvider, ofB.StatusMismatch));
        Assert.Equal("b", ofB.Provider);
        Assert.False(await portal.WithDbAsync(db => db.Orders.AnyAsync(o => o.Disputed)));

        // The same log said to be b's: every order b delivered is missing from it.
        var misfiled = await ReconcileAsync(a.Ledger, "b");
        Assert.Equal(atB, misfiled.MissingAtProvider);
        var unknown = await admin.PostAsync("/api/v1/reconciliations?provider=nobody", new MultipartFormDataContent { { new StringContent("x"), "file", "x.csv" } });
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, unknown.StatusCode);
    }
}
