using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MicoPortal.Server.Orders;
using MicoPortal.Server.Providers;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Tests.Api;

public class CallbackApiTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string Secret = "dev-callback-secret";
    private readonly HttpClient _anonymous = fixture.Factory.CreateClient();

    private async Task<(long Id, string ClientRef)> NewOrderAsync() => (await NewOrdersAsync(1))[0];

    /// <summary>
    /// Orders written straight to the database as Submitted and leased for an hour, as if a sweep held them:
    /// no sweep creates or queries them, so the built-in sandbox never hears of them and sends no callbacks
    /// of its own, and the only callbacks they get are the test's (however slowly the test runs).
    /// </summary>
    private Task<List<(long Id, string ClientRef)>> NewOrdersAsync(int count) => fixture.Factory.WithDbAsync(async db =>
    {
        var now = DateTimeOffset.UtcNow;
        var created = Enumerable.Range(0, count).Select(i =>
        {
            var order = TestOrders.Submitted($"cb-{Guid.NewGuid():N}", now, micoUserId: "12345610");
            order.NextCheckAt = now.AddHours(1);
            order.LeaseUntil = now.AddHours(1);
            order.Version = Guid.NewGuid();
            return order;
        }).ToList();
        db.Orders.AddRange(created);
        await db.SaveChangesAsync();
        return created.Select(o => (o.Id, o.ClientRef)).ToList();
    });

    private static byte[] Body(string eventId, string clientRef, long version, string status = ProviderStatuses.Success) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new ProviderCallback(eventId, ProviderCallback.OrderUpdated, new ProviderOrder(
                clientRef, "SBX-T", status, null, null,
                status == ProviderStatuses.Success ? new ProviderProof("SN-T", 500, DateTimeOffset.UtcNow) : null,
                DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, version)),
            ProviderJson.Options);

    private Task<HttpResponseMessage> SendAsync(byte[] body, string eventId, long timestamp, string? signature = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/provider/callbacks") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add(ProviderCallbackHeaders.EventId, eventId);
        request.Headers.Add(ProviderCallbackHeaders.Timestamp, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(ProviderCallbackHeaders.Signature, signature ?? ContractSignature.V1(Secret, timestamp, body));
        return _anonymous.SendAsync(request);
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private Task<(long CallbackVersion, DateTimeOffset? Confirmed, int Callbacks)> StateAsync(long id) =>
        fixture.Factory.WithDbAsync(async db =>
        {
            var order = await db.Orders.AsNoTracking().SingleAsync(o => o.Id == id);
            var callbacks = await db.OrderAttempts.CountAsync(a => a.OrderId == id && a.Kind == AttemptKind.Callback);
            return (order.CallbackVersion, order.CallbackConfirmedAt, callbacks);
        });

    [Fact]
    public async Task A_signed_callback_is_applied_once_and_its_replay_changes_nothing()
    {
        var order = await NewOrderAsync();
        var eventId = Guid.NewGuid().ToString();
        var body = Body(eventId, order.ClientRef, version: 1000);

        var first = await SendAsync(body, eventId, Now);
        var afterFirst = await StateAsync(order.Id);
        var replay = await SendAsync(body, eventId, Now);
        var afterReplay = await StateAsync(order.Id);

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Equal(1000, afterFirst.CallbackVersion);
        Assert.NotNull(afterFirst.Confirmed);
        Assert.Equal(1, afterFirst.Callbacks);
        Assert.Equal(HttpStatusCode.NoContent, replay.StatusCode);
        Assert.Equal(afterFirst, afterReplay);
    }

    [Fact]
    public async Task Callbacks_arriving_together_are_each_applied_once_and_copies_sent_at_once_count_once()
    {
        // Callbacks are saved in batches: twenty orders' callbacks at once, each one sent five times concurrently.
        var orders = await NewOrdersAsync(20);

        var sends = orders.SelectMany(order =>
        {
            var eventId = Guid.NewGuid().ToString();
            var body = Body(eventId, order.ClientRef, version: 2000);
            return Enumerable.Range(0, 5).Select(_ => SendAsync(body, eventId, Now));
        }).ToList();
        var answers = await Task.WhenAll(sends);

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.NoContent, a.StatusCode));
        foreach (var order in orders)
        {
            var state = await StateAsync(order.Id);
            Assert.Equal(2000, state.CallbackVersion);
            Assert.NotNull(state.Confirmed);
            Assert.Equal(1, state.Callbacks);
        }
    }

    [Fact]
    public async Task A_forged_signature_is_rejected_and_changes_nothing()
    {
        var order = await NewOrderAsync();
        var eventId = Guid.NewGuid().ToString();
        var body = Body(eventId, order.ClientRef, version: 1000);
        var forged = ContractSignature.V1("not-the-secret", Now, body);
        var tampered = Body(eventId, order.ClientRef, version: 1001);

        var wrongSecret = await SendAsync(body, eventId, Now, forged);
        var bodyChanged = await SendAsync(tampered, eventId, Now, ContractSignature.V1(Secret, Now, body));
        var garbage = await SendAsync(body, eventId, Now, "v1=zz");

        Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, bodyChanged.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, garbage.StatusCode);
        Assert.Equal((0L, (DateTimeOffset?)null, 0), await StateAsync(order.Id));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public async Task A_callback_outside_the_five_minute_window_is_rejected(int offsetSeconds)
    {
        var order = await NewOrderAsync();
        var eventId = Guid.NewGuid().ToString();
        var body = Body(eventId, order.ClientRef, version: 1000);

        var response = await SendAsync(body, eventId, Now + offsetSeconds);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal((0L, (DateTimeOffset?)null, 0), await StateAsync(order.Id));
    }

    [Fact]
    public async Task An_older_version_after_a_newer_one_is_ignored()
    {
        var order = await NewOrderAsync();
        var newer = Guid.NewGuid().ToString();
        var older = Guid.NewGuid().ToString();

        await SendAsync(Body(newer, order.ClientRef, 1002, ProviderStatuses.Failed), newer, Now);
        await SendAsync(Body(older, order.ClientRef, 1001), older, Now);

        var state = await StateAsync(order.Id);
        Assert.Equal(1002, state.CallbackVersion);
        Assert.Null(state.Confirmed);
    }

    [Fact]
    public async Task An_oversized_callback_is_refused()
    {
        var body = Encoding.UTF8.GetBytes(new string(' ', 70_000));
        var response = await SendAsync(body, "big", Now);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }
}
