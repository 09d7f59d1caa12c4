using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MicoPortal.Server.Orders;
using MicoPortal.Server.Providers;
using MicoPortal.Shared.Audit;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Incidents;
using MicoPortal.Shared.Metrics;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Orders;

/// <summary>
/// Manual resolution and notes on the real server (docs/api.md section 10), against <see cref="ScriptedProvider"/>:
/// a provider whose answers the test decides, so an order can be held Unknown, left pending past its SLA, or told a
/// SUCCESS days late (minutes here: the watch's interval is a second).
/// </summary>
public sealed class ManualResolutionTests : IAsyncLifetime
{
    private readonly ITestOutputHelper _output;
    private ScriptedProvider _provider = null!;
    private PortalFactory _portal = null!;
    private HttpClient _shop = null!;
    private HttpClient _admin = null!;
    private HttpClient _ops = null!;

    public ManualResolutionTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync()
    {
        _provider = await ScriptedProvider.StartAsync();
        var settings = _provider.PortalSettings(TimeSpan.FromSeconds(1));
        settings["Verification:StuckAfter"] = "00:00:03";
        settings["Verification:LateDeliveryCheckInterval"] = "00:00:01";
        _portal = new PortalFactory(PortalFactory.NewDataDirectory(), settings, _output);
        _shop = _portal.ShopClient();
        (_admin, _) = await _portal.SignInAsync(PortalClient.Admin);
        (_ops, _) = await _portal.SignInAsync(PortalClient.Operations);
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        await _provider.DisposeAsync();
    }

    private async Task<OrderDto> PlaceAsync(string micoUserId) =>
        await (await _shop.PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder(micoUserId: micoUserId))).ReadAsync<OrderDto>();

    private Task<Order> RowAsync(long id) => _portal.WithDbAsync(db => db.Orders.AsNoTracking().SingleAsync(o => o.Id == id));

    private async Task WaitForAsync(long id, Func<Order, bool> condition, string what, int seconds = 20) =>
        Assert.True(await PortalClient.EventuallyAsync(async () => condition(await RowAsync(id)), TimeSpan.FromSeconds(seconds)), $"order {id} should be {what}");

    private Task<HttpResponseMessage> ResolveAsync(HttpClient client, long id, string outcome, string reason = "provider desk confirmed by e-mail", string? evidence = null) =>
        client.PostAsJsonAsync($"/api/v1/orders/{id}/resolve", new ResolveOrderRequest(outcome, reason, evidence));

    private async Task<PagedResult<OrderSummaryDto>> WaitingAsync() =>
        await (await _ops.GetAsync("/api/v1/orders?waiting=true")).ReadAsync<PagedResult<OrderSummaryDto>>();

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, (await response.ReadAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task An_unknown_order_is_settled_as_Delivered_with_evidence_and_then_refused_once_delivered()
    {
        // The create times out and the provider cannot be asked: only a person can say what happened.
        _provider.HeldAccounts["44400001"] = true;
        _provider.QueriesDown = true;
        var order = await PlaceAsync("44400001");
        await WaitForAsync(order.Id, o => o.Status == OrderStatus.Unknown, "Unknown (its create timed out)");

        // Only an Admin settles; bad input is named.
        await AssertProblemAsync(await ResolveAsync(_ops, order.Id, "Delivered"), HttpStatusCode.Forbidden, ErrorCodes.Forbidden);
        var invalid = await ResolveAsync(_admin, order.Id, "Refunded", reason: "");
        await AssertProblemAsync(invalid, HttpStatusCode.BadRequest, ErrorCodes.Validation);
        await AssertProblemAsync(await ResolveAsync(_admin, 999_999_999, "Delivered"), HttpStatusCode.NotFound, ErrorCodes.OrderNotFound);

        // The evidence file goes with the form and comes back byte for byte.
        var file = "From: desk@provider.example\nOrder 4711 was delivered at 10:02.\n"u8.ToArray();
        using var form = new MultipartFormDataContent
        {
            { new StringContent("Delivered"), "outcome" },
            { new StringContent("provider desk confirmed the delivery by e-mail"), "reason" },
            { new StringContent("ticket PRV-4711"), "evidence" },
        };
        var part = new ByteArrayContent(file);
        part.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        form.Add(part, "file", "desk-reply.eml");
        var resolved = await _admin.PostAsync($"/api/v1/orders/{order.Id}/resolve", form);

        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        var dto = await resolved.ReadAsync<OrderDto>();
        Assert.Equal(OrderStatus.Delivered, dto.Status);
        Assert.Contains(dto.Confirmations, c => c.Source == ConfirmationSource.Manual);
        var resolution = Assert.Single(dto.Resolutions!);
        Assert.Equal((ResolutionOutcomes.Delivered, PortalClient.Admin, "ticket PRV-4711", "desk-reply.eml", (long?)file.Length),
            (resolution.Outcome, resolution.ResolvedBy, resolution.Evidence, resolution.EvidenceFileName, resolution.EvidenceFileBytes));
        var download = await _admin.GetAsync($"/api/v1/orders/{order.Id}/resolutions/{resolution.Id}/file");
        Assert.Equal(file, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);

        // Who, why and the evidence are in the audit ledger; a person touched it, so it is not automated.
        var audit = await _portal.WithDbAsync(db => db.AuditEntries.AsNoTracking().SingleAsync(e => e.OrderId == order.Id && e.Action == AuditActions.OrderResolve));
        Assert.Equal(PortalClient.Admin, audit.Actor);
        Assert.Contains("provider desk confirmed the delivery by e-mail", audit.Details, StringComparison.Ordinal);
        Assert.Contains("ticket PRV-4711", audit.Details, StringComparison.Ordinal);
        Assert.Contains("desk-reply.eml sha256 ", audit.Details, StringComparison.Ordinal);
        Assert.True((await RowAsync(order.Id)).OperatorActions > 0);

        // A Delivered order nobody disputes is not a person's to settle.
        await AssertProblemAsync(await ResolveAsync(_admin, order.Id, "Failed"), HttpStatusCode.Conflict, ErrorCodes.InvalidState);
        Assert.Equal(OrderStatus.Delivered, (await RowAsync(order.Id)).Status);
    }

    [Fact]
    public async Task A_stuck_order_settled_as_Failed_is_watched_and_a_late_SUCCESS_disputes_it_and_opens_a_lateDelivery_incident()
    {
        _provider.QueriesDown = true;
        var order = await PlaceAsync("44400002");
        var clientRef = $"{order.Id}-1";
        // The stuck sweep runs every 30 s.
        await WaitForAsync(order.Id, o => o.Status == OrderStatus.Submitted && o.Stuck, "Submitted and stuck past its 3 s SLA", seconds: 90);

        Assert.Contains((await WaitingAsync()).Items, o => o.Id == order.Id);

        var resolved = await ResolveAsync(_admin, order.Id, "Failed", reason: "provider desk: never delivered");
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        Assert.DoesNotContain((await WaitingAsync()).Items, o => o.Id == order.Id);
        var row = await RowAsync(order.Id);
        Assert.Equal((OrderStatus.Failed, false, false), (row.Status, row.Stuck, row.Disputed));
        Assert.NotNull(row.LateDeliveryWatchUntil);

        // Still asked about while the provider is down; then it reports the delivery after all.
        var asked = _provider.QueriesOf(clientRef);
        Assert.True(await PortalClient.EventuallyAsync(() => Task.FromResult(_provider.QueriesOf(clientRef) >= asked + 2), TimeSpan.FromSeconds(20)),
            "the watched reference should be queried again");
        _provider.Set(clientRef, ProviderStatuses.Success, version: 5);
        _provider.QueriesDown = false;

        await WaitForAsync(order.Id, o => o.Disputed, "disputed by the late SUCCESS");
        row = await RowAsync(order.Id);
        Assert.Equal(OrderStatus.Failed, row.Status);
        Assert.Null(row.LateDeliveryWatchUntil);
        Assert.Contains("after a person settled it as Failed", row.DisputeReason, StringComparison.Ordinal);
        var open = await (await _admin.GetAsync("/api/v1/incidents?state=open")).ReadAsync<IncidentList>();
        var incident = Assert.Single(open.Items, i => i.Metric == IncidentMetrics.LateDelivery);
        Assert.Equal(order.Id, incident.OrderId);
        Assert.Equal(IncidentSeverity.Critical, incident.Severity);
        Assert.Contains($"SN-{clientRef}-5", incident.Evidence.Summary, StringComparison.Ordinal);

        // The person looks again and settles it as delivered: the incident resolves with it.
        Assert.Equal(HttpStatusCode.OK, (await ResolveAsync(_admin, order.Id, "Delivered", reason: "provider shows serial; customer has the coins")).StatusCode);
        var after = await (await _admin.GetAsync("/api/v1/incidents?state=open")).ReadAsync<IncidentList>();
        Assert.DoesNotContain(after.Items, i => i.Metric == IncidentMetrics.LateDelivery);
        Assert.Equal(2, (await _portal.WithDbAsync(db => db.OrderResolutions.CountAsync(r => r.OrderId == order.Id))));
    }

    [Fact]
    public async Task A_disputed_order_is_settled_by_a_person_and_automation_counts_it_as_touched()
    {
        // A signed callback says SUCCESS, the provider's query then says FAILED: the sources disagree.
        var order = await PlaceAsync("44400003");
        var clientRef = $"{order.Id}-1";
        await WaitForAsync(order.Id, o => o.Status == OrderStatus.Submitted, "Submitted");
        _provider.Set(clientRef, ProviderStatuses.Failed, version: 3, reason: "OUT_OF_STOCK");
        var callback = await _provider.SendCallbackAsync(_portal.CreateClient(), ScriptedProvider.Describe(clientRef, ProviderStatuses.Success, version: 2));
        Assert.Equal(HttpStatusCode.NoContent, callback.StatusCode);
        await WaitForAsync(order.Id, o => o.Status == OrderStatus.Failed && o.Disputed, "Failed and disputed");

        // An order automation finishes alone, beside it.
        var automatic = await PlaceAsync("44400004");
        _provider.Set($"{automatic.Id}-1", ProviderStatuses.Success, version: 2);
        await WaitForAsync(automatic.Id, o => o.Status == OrderStatus.Delivered, "Delivered by automation");

        Assert.Equal(HttpStatusCode.OK, (await ResolveAsync(_admin, order.Id, "delivered", reason: "customer shows the coins; the provider's FAILED was wrong")).StatusCode);

        var row = await RowAsync(order.Id);
        Assert.Equal((OrderStatus.Delivered, false), (row.Status, row.Disputed));
        Assert.NotNull(row.ManualConfirmedAt);
        Assert.NotNull(row.CallbackConfirmedAt);
        // Three outcomes on this server: the automatic Failed, the automatic delivery, and the person's Delivered,
        // which alone is not automated.
        MetricsSummary? summary = null;
        Assert.True(await PortalClient.EventuallyAsync(async () =>
        {
            summary = await (await _admin.GetAsync("/api/v1/metrics/summary?window=15m")).ReadAsync<MetricsSummary>();
            return summary.Delivered == 2 && summary.Failed == 1;
        }, TimeSpan.FromSeconds(10)), "the three outcomes should reach the rollup");
        Assert.Equal(Math.Round(2.0 / 3, 4), summary!.AutomationRate);
    }

    [Fact]
    public async Task Notes_are_kept_with_the_order_audited_and_shown_to_operators_but_not_to_the_shop()
    {
        var order = await PlaceAsync("44400005");

        var added = await _ops.PostAsJsonAsync($"/api/v1/orders/{order.Id}/notes", new AddOrderNoteRequest("  customer called: coins not visible in the app  "));
        var empty = await _ops.PostAsJsonAsync($"/api/v1/orders/{order.Id}/notes", new AddOrderNoteRequest(" "));
        var tooLong = await _ops.PostAsJsonAsync($"/api/v1/orders/{order.Id}/notes", new AddOrderNoteRequest(new string('x', OrderNote.MaxText + 1)));
        var missing = await _ops.PostAsJsonAsync("/api/v1/orders/999999999/notes", new AddOrderNoteRequest("hello"));
        var byShop = await _shop.PostAsJsonAsync($"/api/v1/orders/{order.Id}/notes", new AddOrderNoteRequest("hello"));

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var note = await added.ReadAsync<OrderNoteDto>();
        Assert.Equal(("customer called: coins not visible in the app", PortalClient.Operations), (note.Text, note.Author));
        await AssertProblemAsync(empty, HttpStatusCode.BadRequest, ErrorCodes.Validation);
        await AssertProblemAsync(tooLong, HttpStatusCode.BadRequest, ErrorCodes.Validation);
        await AssertProblemAsync(missing, HttpStatusCode.NotFound, ErrorCodes.OrderNotFound);
        Assert.True(byShop.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized, $"a shop key may not write notes ({byShop.StatusCode})");

        var seenByAdmin = await (await _admin.GetAsync($"/api/v1/orders/{order.Id}")).ReadAsync<OrderDto>();
        var seenByOps = await (await _ops.GetAsync($"/api/v1/orders/{order.Id}")).ReadAsync<OrderDto>();
        var seenByShop = await (await _shop.GetAsync($"/api/v1/orders/{order.Id}")).ReadAsync<OrderDto>();
        Assert.Equal(PortalClient.Operations, Assert.Single(seenByAdmin.Notes!).Author);
        Assert.Equal("o***@micoportal.local", Assert.Single(seenByOps.Notes!).Author);
        Assert.Empty(seenByShop.Notes!);

        var audit = await _portal.WithDbAsync(db => db.AuditEntries.AsNoTracking().SingleAsync(e => e.OrderId == order.Id && e.Action == AuditActions.OrderNote));
        Assert.Equal((PortalClient.Operations, "customer called: coins not visible in the app"), (audit.Actor, audit.Details));
    }
}
