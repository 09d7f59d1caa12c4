using System.Text.Json.Serialization;
using MicoPortal.Shared.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;

namespace MicoPortal.Server.Infrastructure;

/// <summary>RFC 9457 problem details with the stable <c>code</c> extension of the contract.</summary>
public static class Problems
{
    public static ProblemHttpResult Of(int status, string code, string title, string? detail = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, extensions: new Dictionary<string, object?> { ["code"] = code });

    public static ValidationProblem Validation(IDictionary<string, string[]> errors, string? detail = null) =>
        TypedResults.ValidationProblem(errors, detail: detail, title: "The request is not valid.", extensions: new Dictionary<string, object?> { ["code"] = ErrorCodes.Validation });

    /// <summary>A 404 whose code names the kind of thing (<c>ORDER_NOT_FOUND</c>, <c>USER_NOT_FOUND</c>...) and whose title names the thing.</summary>
    public static ProblemHttpResult NotFound(string code, string what) => Of(StatusCodes.Status404NotFound, code, $"{what} was not found.");

    public static ProblemHttpResult OrderNotFound(long id) => NotFound(ErrorCodes.OrderNotFound, $"Order {id}");

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

public static class ApiConventions
{
    /// <summary>
    /// What every endpoint shares: enum names in JSON ("Delivered", not 3), and problem details with the contract's
    /// <c>code</c> for every error, including those the framework writes itself (a body that does not bind is a 400, not an exception).
    /// </summary>
    public static IServiceCollection AddPortalApiConventions(this IServiceCollection services)
    {
        services.Configure<JsonOptions>(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = false);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            context.ProblemDetails.Extensions.TryAdd("code", Problems.CodeFor(status));
        });
        return services;
    }
}
