using System.Text.Json.Serialization;

namespace MicoPortal.Server.Providers;

// Wire records of the provider API (docs/api.md section 4). The portal's HTTP client and the
// built-in sandbox both speak exactly these shapes.

public static class ProviderStatuses
{
    public const string Pending = "PENDING";
    public const string Success = "SUCCESS";
    public const string Failed = "FAILED";
    public const string Reversed = "REVERSED";
}

public static class ProviderErrorCodes
{
    public const string RefNotFound = "REF_NOT_FOUND";
    public const string RefConflict = "REF_CONFLICT";
    public const string RateLimited = "RATE_LIMITED";
    public const string Maintenance = "MAINTENANCE";
    public const string Validation = "VALIDATION";
    public const string Unauthorized = "UNAUTHORIZED";
    public const string Internal = "INTERNAL";
}

/// <summary>Reason codes of a FAILED order the portal acts on.</summary>
public static class ProviderReasonCodes
{
    /// <summary>The customer's account is not valid: no other provider would change that, so no failover.</summary>
    public const string AccountInvalid = "ACCOUNT_INVALID";
}

public sealed record ProviderAccount(string UserId, string Region);

public sealed record ProviderMoney(string Amount, string Currency);

public sealed record ProviderCreateOrderRequest(
    string ClientRef,
    string Sku,
    ProviderAccount Account,
    int Quantity,
    ProviderMoney MaxPrice,
    string? CallbackUrl);

public sealed record ProviderProof(string Serial, int DeliveredQuantity, DateTimeOffset DeliveredAt);

public sealed record ProviderOrder(
    string ClientRef,
    string ProviderRef,
    string Status,
    string? ReasonCode,
    string? ReasonMessage,
    ProviderProof? Proof,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long Version);

public sealed record ProviderQueryRequest(IReadOnlyList<string> ClientRefs);

public sealed record ProviderQueryResponse(IReadOnlyList<ProviderOrder> Orders, IReadOnlyList<string> NotFound);

public sealed record ProviderLookupRequest(string UserId, string Region);

public sealed record ProviderLookupResponse(bool Valid, string? Nickname, string? Region);

/// <summary><c>GET /v1/balance</c>: the prepaid float, a decimal string.</summary>
public sealed record ProviderBalance(string Balance, string Currency);

public sealed record ProviderError(string Code, string Message, bool Retryable, int? RetryAfterSeconds);

public sealed record ProviderErrorResponse(ProviderError Error, string RequestId);

/// <summary>Body of a delivery callback (provider to portal).</summary>
public sealed record ProviderCallback(string EventId, string Type, ProviderOrder Order)
{
    public const string OrderUpdated = "order.updated";
}

public static class ProviderCallbackHeaders
{
    public const string EventId = "X-Topup-Event-Id";
    public const string Timestamp = "X-Topup-Timestamp";
    public const string Signature = "X-Topup-Signature";
}

/// <summary>JSON options of the provider wire: camelCase, nulls omitted.</summary>
public static class ProviderJson
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
