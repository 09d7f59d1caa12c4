using MicoPortal.Shared.Common;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MicoPortal.Server.Infrastructure;

/// <summary>RFC 9457 problem details with the stable <c>code</c> extension of the contract.</summary>
public static class Problems
{
    public static ProblemHttpResult Of(int status, string code, string title, string? detail = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, extensions: new Dictionary<string, object?> { ["code"] = code });

    public static ValidationProblem Validation(IDictionary<string, string[]> errors, string? detail = null) =>
        TypedResults.ValidationProblem(errors, detail: detail, title: "The request is not valid.", extensions: new Dictionary<string, object?> { ["code"] = ErrorCodes.Validation });

    public static ProblemHttpResult NotFound(string what) => Of(StatusCodes.Status404NotFound, ErrorCodes.OrderNotFound, $"{what} was not found.");

    /// <summary>Default codes for problems the framework writes itself (bad JSON, 404 routes, 500...).</summary>
    public static string CodeFor(int status) => status switch
    {
        400 => ErrorCodes.Validation,
        401 => ErrorCodes.Unauthorized,
        403 => ErrorCodes.Forbidden,
        404 => "NOT_FOUND",
        405 => "METHOD_NOT_ALLOWED",
        413 => "PAYLOAD_TOO_LARGE",
        415 => "UNSUPPORTED_MEDIA_TYPE",
        429 => ErrorCodes.RateLimited,
        _ when status >= 500 => ErrorCodes.Internal,
        _ => "ERROR",
    };
}
