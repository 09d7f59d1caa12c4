namespace MicoPortal.Client.Services;

/// <summary>The outcome of an operator action (re-verify, retry delivery), with a message fit for a snackbar.</summary>
public sealed record PortalActionResult(bool Succeeded, string Message, int? StatusCode = null, string? Code = null)
{
    public static PortalActionResult Success(string message) => new(true, message, 202);
}

/// <summary>The outcome of an action that answers something, e.g. a created API key.</summary>
public sealed record PortalActionResult<T>(bool Succeeded, string Message, T? Value, int? StatusCode = null, string? Code = null);

/// <summary>The outcome of a bulk re-verify: how many orders the server queued.</summary>
public sealed record BulkReverifyResult(bool Succeeded, string Message, int Queued, int? StatusCode = null, string? Code = null);

/// <summary>A read call failed (network, 5xx, 403, ...). <see cref="Exception.Message"/> is readable.</summary>
public sealed class PortalApiException(string message, int? statusCode = null, string? code = null, Exception? inner = null)
    : Exception(message, inner)
{
    public int? StatusCode { get; } = statusCode;
    public string? Code { get; } = code;
}
