namespace MicoPortal.Shared.Common;

/// <summary>Stable <c>code</c> values of problem details answered by the portal.</summary>
public static class ErrorCodes
{
    public const string Validation = "VALIDATION";
    public const string OrderConflict = "ORDER_CONFLICT";
    public const string OrderNotFound = "ORDER_NOT_FOUND";
    public const string InvalidState = "INVALID_STATE";
    public const string Unauthorized = "UNAUTHORIZED";
    public const string Forbidden = "FORBIDDEN";
    public const string ProviderUnavailable = "PROVIDER_UNAVAILABLE";
    public const string CallbackSignature = "CALLBACK_SIGNATURE";
    public const string CallbackStale = "CALLBACK_STALE";
    public const string RateLimited = "RATE_LIMITED";
    public const string NotFound = "NOT_FOUND";
    public const string ApiKeyNotFound = "API_KEY_NOT_FOUND";
    public const string UserNotFound = "USER_NOT_FOUND";
    public const string UserConflict = "USER_CONFLICT";
    public const string LastAdmin = "LAST_ADMIN";
    public const string BootstrapClosed = "BOOTSTRAP_CLOSED";
    public const string ReconciliationNotFound = "RECONCILIATION_NOT_FOUND";
    public const string ProviderNotFound = "PROVIDER_NOT_FOUND";
    public const string WebhookDeliveryNotFound = "WEBHOOK_DELIVERY_NOT_FOUND";
    public const string PayloadTooLarge = "PAYLOAD_TOO_LARGE";
    public const string UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
    public const string Internal = "INTERNAL";

    /// <summary>A cookie-authenticated write without the portal's own <c>Origin</c> header.</summary>
    public const string Csrf = "CSRF";
}
