using System.Globalization;
using System.Text;
using MicoPortal.Server.Auth;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Server.Providers;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Orders;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MicoPortal.Server.Orders;

/// <summary>Shop API (docs/api.md section 2) and the admin order actions of section 3.</summary>
public static class OrdersApi
{
    public const int MaxBatch = 1000;
    public const int MaxExportRows = 100_000;
    public const int MaxBodyBytes = 2 * 1024 * 1024;

    public static IEndpointRouteBuilder MapOrdersApi(this IEndpointRouteBuilder app)
    {
        // A batch of 1,000 orders is about 250 KB; anything far bigger is refused before it is read. The key is
        // checked (authentication, ShopApiKeyAuthentication) and the rate limit applied before any body is read.
        var shop = app.MapGroup("/api/v1").WithTags("Orders")
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxBodyBytes));
        shop.MapPost("/orders", CreateOrder).RequireAuthorization(Policies.ShopWrite).RequireRateLimiting(RateLimiting.Intake);
        shop.MapPost("/orders/batch", CreateOrderBatch).RequireAuthorization(Policies.ShopWrite).RequireRateLimiting(RateLimiting.Intake);
        shop.MapGet("/orders/{id:long}", GetOrder).RequireAuthorization(Policies.ShopRead).RequireRateLimiting(RateLimiting.ShopReads);
        shop.MapGet("/orders", ListOrders).RequireAuthorization(Policies.ShopRead).RequireRateLimiting(RateLimiting.ShopReads);
        shop.MapGet("/orders/export", ExportOrders).RequireAuthorization(Policies.ShopRead).RequireRateLimiting(RateLimiting.ShopReads);
        shop.MapPost("/accounts/lookup", LookupAccount).RequireAuthorization(Policies.ShopWrite).RequireRateLimiting(RateLimiting.ShopReads);

        var actions = app.MapGroup("/api/v1/orders").WithTags("Order actions").RequireAuthorization(Policies.Admin);
        actions.MapPost("/{id:long}/reverify", Reverify);
        actions.MapPost("/{id:long}/retry-delivery", RetryDelivery);
        actions.MapPost("/reverify", ReverifyMany);
        // Evidence files of up to 5 MB come as a multipart form.
        actions.MapPost("/{id:long}/resolve", OrderResolutionApi.Resolve)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(OrderResolution.MaxFileBytes + 64 * 1024)).DisableAntiforgery();
        actions.MapGet("/{id:long}/resolutions/{resolutionId:long}/file", OrderResolutionApi.EvidenceFile);

        var notes = app.MapGroup("/api/v1/orders").WithTags("Order notes").RequireAuthorization(Policies.Operator);
        notes.MapPost("/{id:long}/notes", OrderResolutionApi.AddNote);
        return app;
    }

    public static async Task<Results<Created<OrderDto>, Ok<OrderDto>, ValidationProblem, ProblemHttpResult>> CreateOrder(
        CreateOrderRequest? request, OrderIntake intake, OrderQueries queries, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await intake.AcceptAsync(request, ShopScope.ForNewOrders(http), cancellationToken);
        switch (result.Outcome)
        {
            case IntakeOutcome.Invalid:
                return Problems.Validation(result.Errors!);
            case IntakeOutcome.Conflict:
                return Problems.Of(StatusCodes.Status409Conflict, ErrorCodes.OrderConflict,
                    $"An order with externalId '{result.ExternalId}' already exists with different details.",
                    $"Existing order {result.OrderId}. Use a new externalId for a different order.");
            case IntakeOutcome.Created:
                // A new order has no attempts yet: answer from what was written, without reading it back.
                var created = result.Order!.ToDto([]).ForReader(http);
                return TypedResults.Created($"/api/v1/orders/{created.Id}", created);
            default:
                return TypedResults.Ok((await queries.GetAsync(result.OrderId!.Value, null, cancellationToken))!.ForReader(http));
        }
    }

    public static async Task<Results<Ok<CreateOrderBatchResponse>, ValidationProblem>> CreateOrderBatch(
        CreateOrderBatchRequest? request, OrderIntake intake, HttpContext http, CancellationToken cancellationToken)
    {
        if (request?.Orders is null || request.Orders.Count == 0)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["orders"] = ["At least one order is required."] });
        }

        if (request.Orders.Count > MaxBatch)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["orders"] = [$"At most {MaxBatch} orders per batch."] });
        }

        var results = await intake.AcceptManyAsync([.. request.Orders], ShopScope.ForNewOrders(http), cancellationToken);
        return TypedResults.Ok(new CreateOrderBatchResponse([.. results.Select(r => new BatchOrderResult(
            r.ExternalId,
            r.OrderId,
            r.Outcome switch
            {
                IntakeOutcome.Created => BatchOutcomes.Created,
                IntakeOutcome.Existing => BatchOutcomes.Existing,
                IntakeOutcome.Conflict => BatchOutcomes.Conflict,
                _ => BatchOutcomes.Invalid,
            },
            r.Errors))]));
    }

    public static async Task<Results<Ok<OrderDto>, ProblemHttpResult>> GetOrder(long id, OrderQueries queries, HttpContext http, CancellationToken cancellationToken) =>
        await queries.GetAsync(id, ShopScope.Of(http), cancellationToken) is { } order ? TypedResults.Ok(order.ForReader(http)) : Problems.OrderNotFound(id);

    public static async Task<Ok<PagedResult<OrderSummaryDto>>> ListOrders([AsParameters] OrderListParameters parameters, OrderQueries queries, HttpContext http, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.ListAsync(parameters.ToQuery(), ShopScope.Of(http), cancellationToken));

    private static readonly string[] ExportColumns =
    [
        "id", "externalId", "micoUserId", "region", "sku", "coins", "amount", "currency", "status", "stuck", "disputed", "attemptNo",
        "providerRef", "reasonCode", "reasonMessage", "confirmations", "receivedAt", "completedAt", "latencyMs",
    ];

    public static PushStreamHttpResult ExportOrders([AsParameters] OrderListParameters parameters, OrderQueries queries, HttpContext http, TimeProvider time) =>
        TypedResults.Stream(async stream =>
        {
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false));
            await using var csv = await Csv.WriterAsync(writer, ExportColumns, CancellationToken.None);
            await foreach (var o in queries.StreamAsync(parameters.ToQuery(), ShopScope.Of(http), MaxExportRows, CancellationToken.None))
            {
                await using var row = csv.NewRow(CancellationToken.None);
                row["id"].Format(o.Id);
                row["externalId"].SetText(o.ExternalId);
                row["micoUserId"].Set(o.MicoUserId);
                row["region"].Set(o.Region);
                row["sku"].SetText(o.Sku);
                row["coins"].Format(o.Coins);
                row["amount"].Set(OrderMapping.FormatMoney(o.Amount));
                row["currency"].Set(o.Currency);
                row["status"].FormatEnum(o.Status);
                row["stuck"].Set(o.Stuck ? "true" : "false");
                row["disputed"].Set(o.Disputed ? "true" : "false");
                row["attemptNo"].Format(o.AttemptNo);
                row["providerRef"].SetText(o.ProviderRef);
                row["reasonCode"].SetText(o.ReasonCode);
                row["reasonMessage"].SetText(o.Disputed ? o.DisputeReason : o.ReasonMessage);
                row["confirmations"].Set(string.Join('|', OrderMapping.Confirmations(o).Select(c => c.Source.ToString().ToLowerInvariant())));
                row["receivedAt"].Format(o.ReceivedAt, "O");
                row["completedAt"].Set(o.CompletedAt?.ToString("O", CultureInfo.InvariantCulture));
                row["latencyMs"].Set(o.LatencyMs?.ToString(CultureInfo.InvariantCulture));
            }
        }, "text/csv", $"orders-{time.GetUtcNow():yyyyMMdd-HHmmss}.csv");

    public static async Task<Results<Ok<AccountLookupResponse>, ValidationProblem, ProblemHttpResult>> LookupAccount(
        AccountLookupRequest? request, ProviderCatalog providers, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request?.MicoUserId is null || request.MicoUserId.Length is < 6 or > 12 || !request.MicoUserId.All(char.IsAsciiDigit))
        {
            errors["micoUserId"] = ["A MICO user ID is 6 to 12 digits."];
        }

        var region = request?.Region?.Trim().ToUpperInvariant();
        if (region is null || !OrderValidation.Regions.Contains(region))
        {
            errors["region"] = ["Must be GLOBAL or MENA."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var provider = providers.ForLookup(region!, Environment.TickCount64);
        var answer = await provider.Client.LookupAccountAsync(new ProviderLookupRequest(request!.MicoUserId!, region!), cancellationToken);
        return answer.Response is { } found
            ? TypedResults.Ok(new AccountLookupResponse(found.Valid, found.Nickname, found.Region))
            : Problems.Of(StatusCodes.Status502BadGateway, ErrorCodes.ProviderUnavailable, "The provider could not answer the lookup.", answer.Error);
    }

    public static async Task<Results<Accepted, ProblemHttpResult>> Reverify(long id, OrderActions actions, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await actions.ReverifyAsync(id, http.User.Identity?.Name, cancellationToken);
        return result.Outcome == ActionOutcome.NotFound ? Problems.OrderNotFound(id) : TypedResults.Accepted($"/api/v1/orders/{id}");
    }

    public static async Task<Results<Accepted, ProblemHttpResult>> RetryDelivery(long id, OrderActions actions, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await actions.RetryDeliveryAsync(id, http.User.Identity?.Name, cancellationToken);
        return result.Outcome switch
        {
            ActionOutcome.NotFound => Problems.OrderNotFound(id),
            ActionOutcome.NotAllowed => Problems.Of(StatusCodes.Status409Conflict, ErrorCodes.InvalidState, "This order cannot be retried now.", result.Message),
            _ => TypedResults.Accepted($"/api/v1/orders/{id}"),
        };
    }

    public static async Task<Results<Accepted<ReverifyOrdersResponse>, ValidationProblem>> ReverifyMany(
        ReverifyOrdersRequest? request, OrderActions actions, HttpContext http, CancellationToken cancellationToken)
    {
        if (request is null || (request.Ids is not { Count: > 0 } && request.Status is null && request.Stuck is null))
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["ids"] = ["Give ids, or a status and/or stuck filter."] });
        }

        if (request.Ids is { Count: > OrderActions.MaxBulkOrders })
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["ids"] = [$"At most {OrderActions.MaxBulkOrders} ids at once."] });
        }

        var queued = await actions.ReverifyManyAsync(request, http.User.Identity?.Name, cancellationToken);
        return TypedResults.Accepted((string?)null, new ReverifyOrdersResponse(queued));
    }
}

/// <summary>Query string of order lists, bound by name.</summary>
public sealed record OrderListParameters(
    string? ExternalId, OrderStatus? Status, bool? Stuck, bool? Disputed, bool? Attention,
    DateTimeOffset? From, DateTimeOffset? To, string? Q, int? Page, int? PageSize, string? Sort, bool? Desc, bool? Waiting)
{
    public OrderListQuery ToQuery() => new(ExternalId, Status, Stuck, Disputed, Attention, From, To, Q, Page ?? 1, PageSize ?? 50, Sort, Desc ?? true, Waiting);
}
