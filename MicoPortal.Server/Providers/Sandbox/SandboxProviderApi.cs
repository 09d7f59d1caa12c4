using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Providers.Sandbox;

/// <summary>
/// The provider API of docs/api.md section 4 as the sandbox answers it, with the scenarios of
/// section 5 and the configurable random faults. Handlers return <see cref="IResult"/> because a
/// call may also end without any answer (dropped connection) or with a deliberately broken one.
/// </summary>
internal static partial class SandboxProviderApi
{
    public const int MaxQueryRefs = 500;

    /// <summary>Where the built-in sandbox provider answers, under the portal's own address.</summary>
    public const string BasePath = "/sandbox/provider";

    public static void MapProviderApi(this IEndpointRouteBuilder endpoints)
    {
        // One set of routes per instance; each group carries its instance, which the handlers bind
        // (SandboxInstance.BindAsync), so the same handlers serve every ledger.
        var instances = endpoints.ServiceProvider.GetRequiredService<SandboxInstances>();
        foreach (var name in instances.Names)
        {
            var instance = new SandboxInstance(name, instances.Ledger(name));
            MapApi(endpoints.MapGroup(SandboxInstances.BasePathOf(name) + "/v1").WithMetadata(instance));
            MapAdmin(endpoints.MapGroup(SandboxInstances.AdminPathOf(name)).WithMetadata(instance), faults: name == SandboxInstances.DefaultName);
        }
    }

    private static void MapApi(RouteGroupBuilder api)
    {
        api.AddEndpointFilter(RequireBearerKey)
            .AddEndpointFilter(CapRequestRate)
            .ExcludeFromDescription();

        api.MapPost("/orders", CreateOrder);
        api.MapGet("/orders/{clientRef}", GetOrder);
        api.MapPost("/orders/query", QueryOrders);
        api.MapPost("/accounts/lookup", LookupAccount);
        api.MapGet("/balance", GetBalance);
    }

    private static void MapAdmin(RouteGroupBuilder admin, bool faults)
    {
        admin.AddEndpointFilter(RequireBearerKey)
            .ExcludeFromDescription();
        if (faults)
        {
            // Faults are the same for every instance, so only the default's admin sets them.
            admin.MapGet("/faults", (IOptionsMonitor<SandboxOptions> options) => TypedResults.Json(options.CurrentValue.Faults, ProviderJson.Options));
            admin.MapPut("/faults", SetFaults);
        }

        // The transaction log for reconciliation (docs/api.md section 7), optionally with injected
        // discrepancies; which rows were changed is answered in X-Sandbox-Injected (JSON).
        admin.MapGet("/transactions", (DateTimeOffset? from, DateTimeOffset? to, int? missing, int? extra, int? status, int? amount, int? seed,
            SandboxInstance instance, TimeProvider time, HttpContext http) =>
        {
            var until = to ?? time.GetUtcNow();
            var (csv, injected) = instance.Ledger.ExportWithDiscrepancies(from ?? until.AddDays(-1), until,
                new SandboxDiscrepancyPlan(Clamp(missing), Clamp(extra), Clamp(status), Clamp(amount), seed ?? 1));
            http.Response.Headers["X-Sandbox-Injected"] = JsonSerializer.Serialize(injected, ProviderJson.Options);
            return TypedResults.Text(csv, "text/csv");

            static int Clamp(int? count) => Math.Clamp(count ?? 0, 0, 1_000);
        });
        // How much the sandbox holds, so a soak run can tell its memory from the portal's.
        admin.MapGet("/stats", (SandboxInstance instance) =>
        {
            var (remembered, unsettled) = instance.Ledger.Size();
            return TypedResults.Json(new { remembered, unsettled, faultsInjected = instance.Ledger.FaultsInjected() }, ProviderJson.Options);
        });
        // The float without latency or faults, and resetting it (tests, demos of a low float).
        admin.MapGet("/balance", (SandboxInstance instance, IOptionsMonitor<SandboxOptions> options) =>
            BalanceOf(instance.Ledger, options.CurrentValue));
        admin.MapPut("/balance", SetBalance);
    }

    private static async Task<IResult> CreateOrder(HttpContext http, [AsParameters] SandboxServices s)
    {
        // Arrival is when the call reached the handler, before the simulated wire latency.
        var arrivedAt = s.Time.GetUtcNow();
        var options = s.Options.CurrentValue;
        await SimulateLatencyAsync(options, s.Ledger, http.RequestAborted);

        var request = await ReadBodyAsync<ProviderCreateOrderRequest>(http);
        if (request?.ClientRef is { Length: > 0 } arrivedRef)
        {
            s.Ledger.RecordCreateArrival(arrivedRef, arrivedAt);
        }

        if (ValidateCreate(request) is { } invalid)
        {
            return Error(http, StatusCodes.Status400BadRequest, ProviderErrorCodes.Validation, invalid, retryable: false);
        }

        var now = s.Time.GetUtcNow();
        var entry = s.Ledger.TrackCreate(request!, now);

        // Scenario gates first: nothing is stored while a ref is rate limited or in maintenance.
        if (PerRefRejection(http, [entry], now) is { } rejected)
        {
            return rejected;
        }

        var fault = RollFault(options.Faults, s.Ledger);
        if (FaultBeforeCommit(http, fault) is { } failed)
        {
            return failed;
        }

        if (fault == Fault.DropBeforeCommit || SandboxLedger.TryConsumeDropBeforeCommit(entry))
        {
            s.Logger.LogInformation("Sandbox drops create {ClientRef} before committing", request!.ClientRef);
            return await DropAsync(http, options.DropMode);
        }

        var (outcome, order) = s.Ledger.Commit(entry, request!, now, options.Faults.OutOfStockRate);
        if (outcome == SandboxLedger.CommitOutcome.Conflict)
        {
            return Error(http, StatusCodes.Status409Conflict, ProviderErrorCodes.RefConflict,
                $"clientRef '{request!.ClientRef}' was already used with a different order.", retryable: false);
        }

        if (fault == Fault.DropAfterCommit
            || (outcome == SandboxLedger.CommitOutcome.Created && order.Scenario == SandboxScenario.DropAfterCommit))
        {
            s.Logger.LogInformation("Sandbox committed {ClientRef} and drops the response", order.ClientRef);
            return await DropAsync(http, options.DropMode);
        }

        if (SandboxLedger.TryConsumeMalformed(entry) || fault == Fault.Malformed)
        {
            return Malformed();
        }

        var status = outcome == SandboxLedger.CommitOutcome.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK;
        return TypedResults.Json(order.SnapshotAt(now), ProviderJson.Options, statusCode: status);
    }

    private static async Task<IResult> GetOrder(string clientRef, HttpContext http, [AsParameters] SandboxServices s)
    {
        var options = s.Options.CurrentValue;
        await SimulateLatencyAsync(options, s.Ledger, http.RequestAborted);

        var now = s.Time.GetUtcNow();
        var entry = s.Ledger.Find(clientRef);
        if (entry is not null && PerRefRejection(http, [entry], now) is { } rejected)
        {
            return rejected;
        }

        var fault = RollFault(options.Faults, s.Ledger);
        if (FaultBeforeCommit(http, fault) is { } failed)
        {
            return failed;
        }

        if (fault is Fault.DropBeforeCommit or Fault.DropAfterCommit)
        {
            return await DropAsync(http, options.DropMode);
        }

        if (entry?.Order is not { } order)
        {
            s.Ledger.RecordNotFound(clientRef);
            return Error(http, StatusCodes.Status404NotFound, ProviderErrorCodes.RefNotFound,
                $"No order with clientRef '{clientRef}' was ever accepted.", retryable: false);
        }

        if (SandboxLedger.TryConsumeMalformed(entry) || fault == Fault.Malformed)
        {
            return Malformed();
        }

        return TypedResults.Json(order.SnapshotAt(now), ProviderJson.Options);
    }

    private static async Task<IResult> QueryOrders(HttpContext http, [AsParameters] SandboxServices s)
    {
        var options = s.Options.CurrentValue;
        await SimulateLatencyAsync(options, s.Ledger, http.RequestAborted);

        var request = await ReadBodyAsync<ProviderQueryRequest>(http);
        if (request?.ClientRefs is not { } refs || refs.Any(string.IsNullOrWhiteSpace))
        {
            return Error(http, StatusCodes.Status400BadRequest, ProviderErrorCodes.Validation,
                "Body must be {clientRefs:[...]} with non-empty references.", retryable: false);
        }

        if (refs.Count > MaxQueryRefs)
        {
            return Error(http, StatusCodes.Status400BadRequest, ProviderErrorCodes.Validation,
                $"At most {MaxQueryRefs} clientRefs per query.", retryable: false);
        }

        var now = s.Time.GetUtcNow();
        var distinct = refs.Distinct(StringComparer.Ordinal).ToList();
        var entries = distinct.Select(s.Ledger.Find).OfType<SandboxLedger.Entry>().ToList();
        if (PerRefRejection(http, entries, now) is { } rejected)
        {
            return rejected;
        }

        var fault = RollFault(options.Faults, s.Ledger);
        if (FaultBeforeCommit(http, fault) is { } failed)
        {
            return failed;
        }

        if (fault is Fault.DropBeforeCommit or Fault.DropAfterCommit)
        {
            return await DropAsync(http, options.DropMode);
        }

        var orders = new List<ProviderOrder>();
        var notFound = new List<string>();
        foreach (var clientRef in distinct)
        {
            if (s.Ledger.GetOrder(clientRef) is { } order)
            {
                orders.Add(order.SnapshotAt(now));
            }
            else
            {
                notFound.Add(clientRef);
            }
        }

        // Non-short-circuit: every 99 ref in the query has now had its one broken answer.
        var malformed = fault == Fault.Malformed;
        foreach (var entry in entries)
        {
            malformed |= SandboxLedger.TryConsumeMalformed(entry);
        }

        if (malformed)
        {
            return Malformed();
        }

        foreach (var clientRef in notFound)
        {
            s.Ledger.RecordNotFound(clientRef);
        }

        return TypedResults.Json(new ProviderQueryResponse(orders, notFound), ProviderJson.Options);
    }

    private static async Task<IResult> LookupAccount(HttpContext http, [AsParameters] SandboxServices s)
    {
        var options = s.Options.CurrentValue;
        await SimulateLatencyAsync(options, s.Ledger, http.RequestAborted);

        var request = await ReadBodyAsync<ProviderLookupRequest>(http);
        if (request is null || !IsRegion(request.Region))
        {
            return Error(http, StatusCodes.Status400BadRequest, ProviderErrorCodes.Validation,
                "Body must be {userId, region} with region GLOBAL or MENA.", retryable: false);
        }

        var fault = RollFault(options.Faults, s.Ledger);
        if (FaultBeforeCommit(http, fault) is { } failed)
        {
            return failed;
        }

        if (fault is Fault.DropBeforeCommit or Fault.DropAfterCommit)
        {
            return await DropAsync(http, options.DropMode);
        }

        if (fault == Fault.Malformed)
        {
            return Malformed();
        }

        if (request.UserId is null || !UserIdPattern().IsMatch(request.UserId))
        {
            return TypedResults.Json(new ProviderLookupResponse(false, null, null), ProviderJson.Options);
        }

        // An id ending in 00 lives in the other region, so the portal can show a region mismatch.
        var region = request.UserId.EndsWith("00", StringComparison.Ordinal)
            ? (request.Region == "GLOBAL" ? "MENA" : "GLOBAL")
            : request.Region;
        return TypedResults.Json(new ProviderLookupResponse(true, "Player" + request.UserId[^4..], region), ProviderJson.Options);
    }

    private static async Task<IResult> GetBalance(HttpContext http, [AsParameters] SandboxServices s)
    {
        var options = s.Options.CurrentValue;
        await SimulateLatencyAsync(options, s.Ledger, http.RequestAborted);

        // Faults apply as to any read, so a balance probe sees a failing provider as failing.
        var fault = RollFault(options.Faults, s.Ledger);
        if (FaultBeforeCommit(http, fault) is { } failed)
        {
            return failed;
        }

        if (fault is Fault.DropBeforeCommit or Fault.DropAfterCommit)
        {
            return await DropAsync(http, options.DropMode);
        }

        return fault == Fault.Malformed ? Malformed() : BalanceOf(s.Ledger, options);
    }

    private static IResult BalanceOf(SandboxLedger ledger, SandboxOptions options) =>
        TypedResults.Json(new SandboxBalance(ledger.Balance.ToString("0.00", CultureInfo.InvariantCulture), options.BalanceCurrency), ProviderJson.Options);

    private static async Task<IResult> SetBalance(HttpContext http, SandboxInstance instance, IOptionsMonitor<SandboxOptions> options)
    {
        var body = await ReadBodyAsync<SandboxBalanceUpdate>(http);
        if (body?.Balance is not { } text
            || !decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var balance)
            || balance < 0)
        {
            return Error(http, StatusCodes.Status400BadRequest, ProviderErrorCodes.Validation,
                "Body must be {\"balance\":\"<decimal, not negative>\"}.", retryable: false);
        }

        instance.Ledger.SetBalance(balance);
        return BalanceOf(instance.Ledger, options.CurrentValue);
    }

    private static async Task<IResult> SetFaults(HttpContext http, SandboxFaultOverride faultOverride)
    {
        var faults = await ReadBodyAsync<SandboxFaults>(http);
        var errors = faults?.Validate().ToList() ?? ["Body must be a SandboxFaults object."];
        if (errors.Count > 0)
        {
            return Error(http, StatusCodes.Status400BadRequest, ProviderErrorCodes.Validation, string.Join(" ", errors), retryable: false);
        }

        faultOverride.Set(faults!);
        return TypedResults.Json(faults, ProviderJson.Options);
    }

    // ---- scenario and fault plumbing ----

    private enum Fault
    {
        None,
        Maintenance,
        RateLimit,
        ServerError,
        DropBeforeCommit,
        DropAfterCommit,
        Malformed,
    }

    /// <summary>One roll per call; the first fault that hits wins, in the order a real provider would fail.</summary>
    private static Fault RollFault(SandboxFaults f, SandboxLedger ledger)
    {
        var fault = Roll(f);
        if (fault != Fault.None)
        {
            ledger.CountFault(fault.ToString());
        }

        return fault;

        static Fault Roll(SandboxFaults f)
        {
            if (Hit(f.MaintenanceRate))
            {
                return Fault.Maintenance;
            }

            if (Hit(f.RateLimitRate))
            {
                return Fault.RateLimit;
            }

            if (Hit(f.ServerErrorRate))
            {
                return Fault.ServerError;
            }

            if (Hit(f.TimeoutBeforeCommitRate))
            {
                return Fault.DropBeforeCommit;
            }

            if (Hit(f.TimeoutAfterCommitRate))
            {
                return Fault.DropAfterCommit;
            }

            if (Hit(f.MalformedRate))
            {
                return Fault.Malformed;
            }

            return Fault.None;
        }

        static bool Hit(double rate) => rate > 0 && Random.Shared.NextDouble() < rate;
    }

    private static IResult? FaultBeforeCommit(HttpContext http, Fault fault) => fault switch
    {
        Fault.Maintenance => Error(http, StatusCodes.Status503ServiceUnavailable, ProviderErrorCodes.Maintenance,
            "The provider is in maintenance.", retryable: true, retryAfterSeconds: 5),
        Fault.RateLimit => Error(http, StatusCodes.Status429TooManyRequests, ProviderErrorCodes.RateLimited,
            "Too many requests.", retryable: true, retryAfterSeconds: 1),
        Fault.ServerError => Error(http, StatusCodes.Status500InternalServerError, ProviderErrorCodes.Internal,
            "Internal provider error.", retryable: true),
        _ => null,
    };

    /// <summary>
    /// Scenarios 96 and 97 for every ref a call names. A 429 counts against each ref still in its
    /// rate-limited phase (so a query spends one of the three for each of them).
    /// </summary>
    private static IResult? PerRefRejection(HttpContext http, IReadOnlyList<SandboxLedger.Entry> entries, DateTimeOffset now)
    {
        var limited = false;
        foreach (var entry in entries)
        {
            limited |= SandboxLedger.TryConsumeRateLimit(entry);
        }

        if (limited)
        {
            return Error(http, StatusCodes.Status429TooManyRequests, ProviderErrorCodes.RateLimited,
                "Too many requests for this order.", retryable: true, retryAfterSeconds: 1);
        }

        var maintenance = entries.Select(e => SandboxLedger.MaintenanceLeft(e, now)).Max();
        if (maintenance is { } left)
        {
            return Error(http, StatusCodes.Status503ServiceUnavailable, ProviderErrorCodes.Maintenance,
                "The provider is in maintenance.", retryable: true, retryAfterSeconds: (int)Math.Ceiling(left.TotalSeconds));
        }

        return null;
    }

    private static async Task SimulateLatencyAsync(SandboxOptions options, SandboxLedger ledger, CancellationToken cancellationToken)
    {
        // Real time on purpose: latency is about the wire, the provider's own clock is the TimeProvider.
        var delay = options.LatencyMs + (options.LatencyJitterMs > 0 ? Random.Shared.Next(options.LatencyJitterMs + 1) : 0);
        if (options.Faults.SlowRate > 0 && Random.Shared.NextDouble() < options.Faults.SlowRate)
        {
            delay += options.Faults.SlowDelayMs;
            ledger.CountFault("Slow");
        }

        if (delay > 0)
        {
            await Task.Delay(delay, cancellationToken);
        }
    }

    /// <summary>No answer at all: abort the connection, or hang until the caller gives up.</summary>
    private static async Task<IResult> DropAsync(HttpContext http, SandboxDropMode mode)
    {
        if (mode == SandboxDropMode.Hang)
        {
            // Also end on shutdown, or a hung call would hold the host up for its whole shutdown timeout.
            var stopping = http.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            using var hang = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
            try
            {
                await Task.Delay(Timeout.Infinite, hang.Token);
            }
            catch (OperationCanceledException)
            {
                // The caller timed out or the server is stopping: exactly what the hang is for.
            }
        }

        http.Abort();
        return Results.Empty;
    }

    /// <summary>200 with a JSON body cut in half, as a broken proxy or provider bug would send.</summary>
    private static IResult Malformed() =>
        TypedResults.Text("{\"clientRef\":\"", "application/json", statusCode: StatusCodes.Status200OK);

    private static IResult Error(HttpContext http, int status, string code, string message, bool retryable, int? retryAfterSeconds = null)
    {
        if (retryAfterSeconds is { } seconds)
        {
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        var body = new ProviderErrorResponse(new ProviderError(code, message, retryable, retryAfterSeconds), http.TraceIdentifier);
        return TypedResults.Json(body, ProviderJson.Options, statusCode: status);
    }

    private static async ValueTask<object?> RequireBearerKey(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var expected = http.RequestServices.GetRequiredService<IOptionsMonitor<SandboxOptions>>().CurrentValue.ApiKey;
        var header = http.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        var presented = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : string.Empty;
        if (presented.Length == 0 || !FixedTimeEquals(presented, expected))
        {
            return Error(http, StatusCodes.Status401Unauthorized, ProviderErrorCodes.Unauthorized, "Missing or invalid Bearer key.", retryable: false);
        }

        return await next(context);

        static bool FixedTimeEquals(string a, string b) =>
            System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(a), System.Text.Encoding.UTF8.GetBytes(b));
    }

    /// <summary>
    /// <c>Sandbox:MaxRequestsPerSecond</c>: above that many calls in one calendar second (a fixed window,
    /// as many gateways count) the sandbox answers <c>429 RATE_LIMITED</c> at once, before any work. For
    /// benchmarks of how the portal settles under a provider's rate limit.
    /// </summary>
    private static async ValueTask<object?> CapRequestRate(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var cap = http.RequestServices.GetRequiredService<IOptionsMonitor<SandboxOptions>>().CurrentValue.MaxRequestsPerSecond;
        if (cap > 0)
        {
            // Each instance is its own provider, with its own cap.
            var ledger = SandboxInstance.Of(http).Ledger;
            var second = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeSeconds();
            if (!ledger.TryCountRequest(second, cap))
            {
                ledger.CountFault("RateCap");
                return Error(http, StatusCodes.Status429TooManyRequests, ProviderErrorCodes.RateLimited,
                    $"More than {cap} requests in one second.", retryable: true, retryAfterSeconds: 1);
            }
        }

        return await next(context);
    }

    /// <summary>Reads the body ourselves so a broken body gets the provider error shape, not a bare 400.</summary>
    private static async Task<T?> ReadBodyAsync<T>(HttpContext http)
        where T : class
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(http.Request.Body, ProviderJson.Options, http.RequestAborted);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? ValidateCreate(ProviderCreateOrderRequest? r)
    {
        if (r is null)
        {
            return "Body must be a JSON order.";
        }

        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(r.ClientRef) || r.ClientRef.Length > 100)
        {
            errors.Add("clientRef is required (at most 100 characters).");
        }

        if (string.IsNullOrWhiteSpace(r.Sku))
        {
            errors.Add("sku is required.");
        }

        if (r.Account is null || r.Account.UserId is null || !DigitsPattern().IsMatch(r.Account.UserId) || !IsRegion(r.Account.Region))
        {
            errors.Add("account needs a numeric userId and a region GLOBAL or MENA.");
        }

        if (r.Quantity is < 1 or > 1_000_000)
        {
            errors.Add("quantity must be 1 to 1,000,000.");
        }

        if (r.MaxPrice is null
            || !decimal.TryParse(r.MaxPrice.Amount, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount)
            || amount <= 0
            || r.MaxPrice.Currency is null
            || !CurrencyPattern().IsMatch(r.MaxPrice.Currency))
        {
            errors.Add("maxPrice needs a positive decimal amount and an ISO 4217 currency.");
        }

        if (r.CallbackUrl is not null
            && !(Uri.TryCreate(r.CallbackUrl, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)))
        {
            errors.Add("callbackUrl must be an absolute http(s) URL.");
        }

        return errors.Count == 0 ? null : string.Join(" ", errors);
    }

    private static bool IsRegion(string? region) => region is "GLOBAL" or "MENA";

    [GeneratedRegex(@"^[0-9]{6,12}\z")]
    private static partial Regex UserIdPattern();

    [GeneratedRegex(@"^[0-9]{1,32}\z")]
    private static partial Regex DigitsPattern();

    [GeneratedRegex(@"^[A-Z]{3}\z")]
    private static partial Regex CurrencyPattern();
}

/// <summary>The services every sandbox handler needs, bundled for <c>[AsParameters]</c>.</summary>
internal readonly record struct SandboxServices(
    SandboxInstance Instance,
    IOptionsMonitor<SandboxOptions> Options,
    TimeProvider Time,
    ILogger<SandboxLedger> Logger)
{
    /// <summary>The ledger of the instance the route belongs to.</summary>
    public SandboxLedger Ledger => Instance.Ledger;
}

/// <summary>
/// The instance a sandbox route belongs to, set as metadata on its route group. Bound as a handler
/// parameter from that metadata, so one set of handlers serves every instance's ledger.
/// </summary>
internal sealed record SandboxInstance(string Name, SandboxLedger Ledger)
{
    public static SandboxInstance Of(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<SandboxInstance>()
        ?? throw new InvalidOperationException("A sandbox endpoint was mapped without its instance.");

    public static ValueTask<SandboxInstance?> BindAsync(HttpContext http) => ValueTask.FromResult<SandboxInstance?>(Of(http));
}

/// <summary>Answer of <c>GET /v1/balance</c> and the balance admin: the amount with two decimals, invariant culture.</summary>
internal sealed record SandboxBalance(string Balance, string Currency);

/// <summary>Body of <c>PUT .../admin/balance</c>.</summary>
internal sealed record SandboxBalanceUpdate(string? Balance);
