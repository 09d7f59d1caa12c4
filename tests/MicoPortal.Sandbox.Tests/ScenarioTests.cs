using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MicoPortal.Server.Providers;
using MicoPortal.Tests.Infrastructure;

namespace MicoPortal.Sandbox.Tests;

/// <summary>docs/api.md section 5, one test per userId ending, on a fake clock.</summary>
public sealed class ScenarioTests : IAsyncLifetime
{
    private SandboxHost _host = null!;

    public async Task InitializeAsync() => _host = await SandboxHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Default_is_pending_for_at_most_2_seconds_then_success_with_proof()
    {
        var clientRef = SandboxHost.NewRef();
        using var created = await _host.CreateAsync(_host.Order(clientRef, "12345610", quantity: 300));
        var first = await created.OrderAsync();

        _host.Time.Advance(TimeSpan.FromMilliseconds(2001));
        using var later = await _host.GetAsync(clientRef);
        var order = await later.OrderAsync();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Contains(first.Status, new[] { ProviderStatuses.Pending, ProviderStatuses.Success });
        Assert.Equal(ProviderStatuses.Success, order.Status);
        Assert.True(order.Version >= first.Version);
        Assert.Equal(300, order.Proof!.DeliveredQuantity);
        Assert.False(string.IsNullOrEmpty(order.Proof.Serial));
        Assert.InRange(order.Proof.DeliveredAt, first.CreatedAt, first.CreatedAt.AddSeconds(2));
        Assert.Equal(order.UpdatedAt, order.Proof.DeliveredAt);
    }

    [Fact]
    public async Task Default_pending_time_is_the_same_for_the_same_clientRef()
    {
        // Same clientRef on two fresh sandboxes: same delivery moment relative to creation.
        var clientRef = SandboxHost.NewRef();
        await using var other = await SandboxHost.StartAsync();
        (await _host.CreateAsync(_host.Order(clientRef, "12345610"))).Dispose();
        (await other.CreateAsync(other.Order(clientRef, "12345610"))).Dispose();
        _host.Time.Advance(TimeSpan.FromSeconds(3));
        other.Time.Advance(TimeSpan.FromSeconds(3));

        var a = _host.Ledger.GetTruth(clientRef)!;
        var b = other.Ledger.GetTruth(clientRef)!;

        Assert.Equal(a.UpdatedAt - a.CreatedAt, b.UpdatedAt - b.CreatedAt);
    }

    [Fact]
    public async Task Ends_in_91_fails_with_ACCOUNT_INVALID()
    {
        var clientRef = SandboxHost.NewRef();

        using var created = await _host.CreateAsync(_host.Order(clientRef, "12345691"));
        var order = await created.OrderAsync();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(ProviderStatuses.Failed, order.Status);
        Assert.Equal("ACCOUNT_INVALID", order.ReasonCode);
        Assert.False(string.IsNullOrEmpty(order.ReasonMessage));
        Assert.Null(order.Proof);
        var callback = Assert.Single(await _host.WaitForCallbacksAsync(clientRef, 1));
        Assert.Equal(ProviderStatuses.Failed, callback.Callback.Order.Status);
    }

    [Fact]
    public async Task Ends_in_92_is_pending_for_5_seconds_then_success()
    {
        var clientRef = SandboxHost.NewRef();
        using var created = await _host.CreateAsync(_host.Order(clientRef, "12345692"));
        var first = await created.OrderAsync();

        _host.Time.Advance(TimeSpan.FromMilliseconds(4999));
        var stillPending = _host.Ledger.GetTruth(clientRef)!;
        _host.Time.Advance(TimeSpan.FromMilliseconds(1));
        using var done = await _host.GetAsync(clientRef);
        var order = await done.OrderAsync();

        Assert.Equal((ProviderStatuses.Pending, 1L), (first.Status, first.Version));
        Assert.Equal(ProviderStatuses.Pending, stillPending.Status);
        Assert.Equal((ProviderStatuses.Success, 2L), (order.Status, order.Version));
        Assert.Equal(first.CreatedAt.AddSeconds(5), order.Proof!.DeliveredAt);
        var callback = Assert.Single(await _host.WaitForCallbacksAsync(clientRef, 1));
        Assert.Equal(ProviderStatuses.Success, callback.Callback.Order.Status);
    }

    [Fact]
    public async Task Ends_in_93_commits_then_drops_the_response_and_the_order_is_delivered()
    {
        var clientRef = SandboxHost.NewRef();

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => _host.CreateAsync(_host.Order(clientRef, "12345693")));
        _host.Time.Advance(TimeSpan.FromSeconds(3));
        using var get = await _host.GetAsync(clientRef);

        Assert.Equal(1, _host.Ledger.CreatesCommitted(clientRef));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(ProviderStatuses.Success, (await get.OrderAsync()).Status);
    }

    [Fact]
    public async Task Ends_in_94_times_out_before_committing_then_a_resubmission_works()
    {
        var clientRef = SandboxHost.NewRef();
        var order = _host.Order(clientRef, "12345694");

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => _host.CreateAsync(order));
        using var notFound = await _host.GetAsync(clientRef);
        using var query = await _host.QueryAsync(clientRef);
        using var resubmitted = await _host.CreateAsync(order);

        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal(ProviderErrorCodes.RefNotFound, (await notFound.ErrorAsync()).Code);
        Assert.Equal(clientRef, Assert.Single((await query.Content.ReadFromJsonAsync<ProviderQueryResponse>(ProviderJson.Options))!.NotFound));
        Assert.Equal(HttpStatusCode.Created, resubmitted.StatusCode);
        Assert.Equal(new(2, 1, 0, SentAgainUnasked: 0, NotFoundAnswered: 2), _host.Ledger.GetCreateCounts(clientRef));
    }

    [Fact]
    public async Task Ends_in_95_succeeds_then_is_reversed_10_seconds_later_keeping_its_proof()
    {
        var clientRef = SandboxHost.NewRef();
        using var created = await _host.CreateAsync(_host.Order(clientRef, "12345695"));
        var first = await created.OrderAsync();
        await _host.WaitForCallbacksAsync(clientRef, 1);

        _host.Time.Advance(TimeSpan.FromSeconds(10));
        using var get = await _host.GetAsync(clientRef);
        var reversed = await get.OrderAsync();
        var callbacks = await _host.WaitForCallbacksAsync(clientRef, 2);

        Assert.Equal((ProviderStatuses.Success, 1L), (first.Status, first.Version));
        Assert.NotNull(first.Proof);
        Assert.Equal((ProviderStatuses.Reversed, 2L), (reversed.Status, reversed.Version));
        Assert.Equal(first.Proof, reversed.Proof);
        Assert.Equal(first.CreatedAt.AddSeconds(10), reversed.UpdatedAt);
        Assert.Equal(new[] { ProviderStatuses.Success, ProviderStatuses.Reversed }, callbacks.Select(c => c.Callback.Order.Status));
        Assert.Equal(new[] { 1L, 2L }, callbacks.Select(c => c.Callback.Order.Version));
    }

    [Fact]
    public async Task Ends_in_96_answers_the_first_3_calls_for_the_order_with_429_then_normally()
    {
        var clientRef = SandboxHost.NewRef();
        var order = _host.Order(clientRef, "12345696");

        using var create1 = await _host.CreateAsync(order);
        using var get = await _host.GetAsync(clientRef);
        using var query = await _host.QueryAsync(clientRef, SandboxHost.NewRef());
        Assert.Equal(0, _host.Ledger.CreatesCommitted(clientRef));
        using var create2 = await _host.CreateAsync(order);
        using var get2 = await _host.GetAsync(clientRef);

        foreach (var limited in new[] { create1, get, query })
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.Equal("1", limited.Headers.GetValues("Retry-After").Single());
            var error = await limited.ErrorAsync();
            Assert.Equal((ProviderErrorCodes.RateLimited, true, (int?)1), (error.Code, error.Retryable, error.RetryAfterSeconds));
        }

        Assert.Equal(HttpStatusCode.Created, create2.StatusCode);
        Assert.Equal(HttpStatusCode.OK, get2.StatusCode);
    }

    [Fact]
    public async Task Ends_in_96_a_query_counts_the_call_for_every_ref_still_limited()
    {
        var a = SandboxHost.NewRef();
        var b = SandboxHost.NewRef();
        using var createA = await _host.CreateAsync(_host.Order(a, "11111196"));
        using var createB = await _host.CreateAsync(_host.Order(b, "22222296"));

        // Two queries spend calls 2 and 3 of both refs; the third query is answered normally.
        using var q1 = await _host.QueryAsync(a, b);
        using var q2 = await _host.QueryAsync(a, b);
        using var q3 = await _host.QueryAsync(a, b);

        Assert.Equal(HttpStatusCode.TooManyRequests, q1.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, q2.StatusCode);
        Assert.Equal(HttpStatusCode.OK, q3.StatusCode);
        Assert.Equal(2, (await q3.Content.ReadFromJsonAsync<ProviderQueryResponse>(ProviderJson.Options))!.NotFound.Count);
    }

    [Fact]
    public async Task Ends_in_97_is_in_maintenance_for_the_first_30_seconds_of_the_orders_life()
    {
        var clientRef = SandboxHost.NewRef();
        var order = _host.Order(clientRef, "12345697");

        using var first = await _host.CreateAsync(order);
        _host.Time.Advance(TimeSpan.FromSeconds(29.5));
        using var retried = await _host.CreateAsync(order);
        using var get = await _host.GetAsync(clientRef);
        _host.Time.Advance(TimeSpan.FromSeconds(0.5));
        using var accepted = await _host.CreateAsync(order);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal("30", first.Headers.GetValues("Retry-After").Single());
        Assert.Equal(ProviderErrorCodes.Maintenance, (await first.ErrorAsync()).Code);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, retried.StatusCode);
        Assert.Equal("1", retried.Headers.GetValues("Retry-After").Single());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, get.StatusCode);
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Equal(new(3, 1, 0, SentAgainUnasked: 2), _host.Ledger.GetCreateCounts(clientRef));
    }

    [Fact]
    public async Task Ends_in_98_sends_callbacks_twice_and_out_of_order()
    {
        var clientRef = SandboxHost.NewRef();
        (await _host.CreateAsync(_host.Order(clientRef, "12345698"))).Dispose();

        _host.Time.Advance(TimeSpan.FromSeconds(2));
        var callbacks = await _host.WaitForCallbacksAsync(clientRef, 3);
        await _host.CallbacksSettledAsync(clientRef);

        Assert.Equal(3, _host.Callbacks.Count(c => c.Callback.Order.ClientRef == clientRef));
        Assert.Equal(new[] { 2L, 1L, 2L }, callbacks.Select(c => c.Callback.Order.Version));
        Assert.Equal(new[] { ProviderStatuses.Success, ProviderStatuses.Pending, ProviderStatuses.Success }, callbacks.Select(c => c.Callback.Order.Status));
        Assert.Equal(callbacks[0].EventId, callbacks[2].EventId);
        Assert.NotEqual(callbacks[0].EventId, callbacks[1].EventId);
        Assert.All(callbacks, c => Assert.Equal(ContractSignature.V1(SandboxHost.Secret, c.Timestamp, c.Body), c.Signature));
    }

    [Fact]
    public async Task Ends_in_99_first_response_is_malformed_json_but_the_create_is_committed()
    {
        var clientRef = SandboxHost.NewRef();
        var order = _host.Order(clientRef, "12345699");

        using var first = await _host.CreateAsync(order);
        var firstBody = await first.Content.ReadAsStringAsync();
        using var second = await _host.CreateAsync(order);
        using var get = await _host.GetAsync(clientRef);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(firstBody));
        Assert.Equal(1, _host.Ledger.CreatesCommitted(clientRef));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(clientRef, (await second.OrderAsync()).ClientRef);
        Assert.Equal(clientRef, (await get.OrderAsync()).ClientRef);
    }
}
