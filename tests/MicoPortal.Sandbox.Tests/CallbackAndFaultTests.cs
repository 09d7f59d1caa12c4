using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MicoPortal.Server.Providers;
using MicoPortal.Server.Providers.Sandbox;
using MicoPortal.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace MicoPortal.Sandbox.Tests;

public sealed class CallbackTests : IAsyncLifetime
{
    private SandboxHost _host = null!;

    public async Task InitializeAsync() => _host = await SandboxHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Callbacks_are_signed_over_the_raw_body_and_versions_only_grow()
    {
        var clientRef = SandboxHost.NewRef();
        using var created = await _host.CreateAsync(_host.Order(clientRef, "12345692"));
        var versions = new List<long> { (await created.OrderAsync()).Version };
        for (var i = 0; i < 6; i++)
        {
            _host.Time.Advance(TimeSpan.FromSeconds(1));
            using var get = await _host.GetAsync(clientRef);
            versions.Add((await get.OrderAsync()).Version);
        }

        var callback = Assert.Single(await _host.WaitForCallbacksAsync(clientRef, 1));

        Assert.Equal(versions.Order(), versions);
        Assert.Equal(new long[] { 1, 2 }, versions.Distinct());
        Assert.Equal(ProviderCallback.OrderUpdated, callback.Callback.Type);
        Assert.Equal(callback.EventId, callback.Callback.EventId);
        Assert.Equal(_host.Time.GetUtcNow().ToUnixTimeSeconds(), callback.Timestamp);
        Assert.Equal(ContractSignature.V1(SandboxHost.Secret, callback.Timestamp, callback.Body), callback.Signature);
        Assert.Equal(_host.Ledger.GetTruth(clientRef), callback.Callback.Order);
    }

    [Fact]
    public async Task No_callback_for_the_initial_pending_or_without_a_callbackUrl()
    {
        var pending = SandboxHost.NewRef();
        var silent = SandboxHost.NewRef();
        (await _host.CreateAsync(_host.Order(pending, "12345692"))).Dispose();
        (await _host.CreateAsync(_host.Order(silent, "12345691", withCallback: false))).Dispose();

        await _host.CallbacksSettledAsync(pending, silent);

        Assert.Equal(0, _host.Ledger.CallbackProgress(pending).Planned);
        Assert.Equal(0, _host.Ledger.CallbackProgress(silent).Planned);
        Assert.DoesNotContain(_host.Callbacks, c => c.Callback.Order.ClientRef == pending || c.Callback.Order.ClientRef == silent);
    }

    [Fact]
    public async Task A_failing_receiver_is_retried_without_blocking_the_api()
    {
        var clientRef = SandboxHost.NewRef();
        var order = _host.Order(clientRef, "12345691") with { CallbackUrl = "http://127.0.0.1:1/nowhere" };

        using var created = await _host.CreateAsync(order);
        // The callback is planned and its sender is busy retrying the dead receiver while the API answers.
        Assert.True(await SandboxHost.PollUntilAsync(() => _host.Ledger.CallbackProgress(clientRef) is { Planned: 1, Finished: 0 }), "the callback should be on its retries");
        using var get = await _host.GetAsync(clientRef);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(0, _host.Ledger.CallbacksDelivered(clientRef));
    }
}

public sealed class FaultTests : IAsyncLifetime
{
    private SandboxHost _host = null!;

    public async Task InitializeAsync() => _host = await SandboxHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task SetFaultsAsync(SandboxFaults faults)
    {
        using var response = await _host.Client.PutAsJsonAsync("/sandbox/admin/faults", faults, ProviderJson.Options);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Faults_can_be_changed_at_run_time()
    {
        var clientRef = SandboxHost.NewRef();
        var order = _host.Order(clientRef, "12345610");

        await SetFaultsAsync(new SandboxFaults { RateLimitRate = 1 });
        using var limited = await _host.CreateAsync(order);
        await SetFaultsAsync(new SandboxFaults { MaintenanceRate = 1 });
        using var maintenance = await _host.CreateAsync(order);
        await SetFaultsAsync(new SandboxFaults { ServerErrorRate = 1 });
        using var serverError = await _host.CreateAsync(order);
        await SetFaultsAsync(new SandboxFaults { TimeoutBeforeCommitRate = 1 });
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => _host.CreateAsync(order));
        Assert.Equal(0, _host.Ledger.CreatesCommitted(clientRef));
        await SetFaultsAsync(new SandboxFaults { TimeoutAfterCommitRate = 1 });
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => _host.CreateAsync(order));
        await SetFaultsAsync(new SandboxFaults { MalformedRate = 1 });
        using var malformed = await _host.GetAsync(clientRef);
        var malformedBody = await malformed.Content.ReadAsStringAsync();
        await SetFaultsAsync(new SandboxFaults());
        using var normal = await _host.CreateAsync(order);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("1", limited.Headers.GetValues("Retry-After").Single());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, maintenance.StatusCode);
        Assert.True(maintenance.Headers.Contains("Retry-After"));
        Assert.Equal(HttpStatusCode.InternalServerError, serverError.StatusCode);
        Assert.Equal(ProviderErrorCodes.Internal, (await serverError.ErrorAsync()).Code);
        Assert.Equal(HttpStatusCode.OK, malformed.StatusCode);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(malformedBody));
        Assert.Equal(HttpStatusCode.OK, normal.StatusCode);
        Assert.Equal(new(6, 1, 1, SentAgainUnasked: 5), _host.Ledger.GetCreateCounts(clientRef));
    }

    [Fact]
    public async Task Invalid_fault_rates_are_rejected()
    {
        using var response = await _host.Client.PutAsJsonAsync("/sandbox/admin/faults", new SandboxFaults { ServerErrorRate = 1.5 }, ProviderJson.Options);
        using var current = await _host.Client.GetAsync("/sandbox/admin/faults");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, (await current.Content.ReadFromJsonAsync<SandboxFaults>(ProviderJson.Options))!.ServerErrorRate);
    }

    [Fact]
    public async Task Callback_faults_drop_duplicate_and_reorder()
    {
        var dropped = SandboxHost.NewRef();
        await SetFaultsAsync(new SandboxFaults { CallbackDropRate = 1 });
        (await _host.CreateAsync(_host.Order(dropped, "12345691"))).Dispose();
        Assert.True(await SandboxHost.PollUntilAsync(() => _host.Ledger.CallbackProgress(dropped) is { Planned: 1, Finished: 1 }), "the dropped callback should be decided");
        await SetFaultsAsync(new SandboxFaults { CallbackDuplicateRate = 1, CallbackReorderRate = 1 });
        var chaotic = SandboxHost.NewRef();
        (await _host.CreateAsync(_host.Order(chaotic, "12345692"))).Dispose();
        _host.Time.Advance(TimeSpan.FromSeconds(5));

        var callbacks = await _host.WaitForCallbacksAsync(chaotic, 3);

        Assert.DoesNotContain(_host.Callbacks, c => c.Callback.Order.ClientRef == dropped);
        Assert.Equal(new[] { 2L, 1L, 2L }, callbacks.Select(c => c.Callback.Order.Version));
    }
}

public sealed class DropModeAndOptionsTests
{
    [Fact]
    public async Task Hang_mode_keeps_the_caller_waiting_until_it_gives_up()
    {
        await using var host = await SandboxHost.StartAsync(new() { ["Sandbox:DropMode"] = "Hang" });
        using var client = host.NewClient(TimeSpan.FromMinutes(1));
        using var givingUp = new CancellationTokenSource();
        var clientRef = SandboxHost.NewRef();

        // No fixed client timeout: a cold machine can take longer than one to commit the first create.
        var call = client.PostAsJsonAsync("orders", host.Order(clientRef, "12345693"), ProviderJson.Options, givingUp.Token);
        for (var waited = 0; host.Ledger.CreatesCommitted(clientRef) == 0 && waited < 200; waited++)
        {
            await Task.Delay(50);
        }

        await Task.Delay(300);
        Assert.Equal(1, host.Ledger.CreatesCommitted(clientRef));
        Assert.False(call.IsCompleted, "the committed create must not be answered");
        await givingUp.CancelAsync();
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => call);
    }

    [Fact]
    public async Task An_enabled_sandbox_needs_its_keys()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            SandboxHost.StartAsync(new() { ["Sandbox:ApiKey"] = "", ["Sandbox:Faults:RateLimitRate"] = "2" }));

        Assert.Contains(error.Failures, f => f.Contains("ApiKey", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("RateLimitRate", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_disabled_sandbox_maps_nothing()
    {
        await using var host = await SandboxHost.StartAsync(new() { ["Sandbox:Enabled"] = "false" });

        using var response = await host.CreateAsync(host.Order(SandboxHost.NewRef(), "12345610"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Latency_is_applied_per_call()
    {
        await using var host = await SandboxHost.StartAsync(new() { ["Sandbox:LatencyMs"] = "150", ["Sandbox:LatencyJitterMs"] = "0" });
        var watch = System.Diagnostics.Stopwatch.StartNew();

        using var response = await host.QueryAsync(Enumerable.Range(0, 50).Select(i => $"r{i}").ToArray());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.InRange(watch.ElapsedMilliseconds, 140, 10_000);
    }
}
