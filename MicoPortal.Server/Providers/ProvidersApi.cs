using MicoPortal.Server.Auth;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Providers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MicoPortal.Server.Providers;

/// <summary>The providers as operators see them, and the Admin's pause switch (docs/api.md section 8).</summary>
public static class ProvidersApi
{
    public const int MaxReason = 300;

    public static IEndpointRouteBuilder MapProvidersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/providers").WithTags("Providers");
        group.MapGet("", List).RequireAuthorization(Policies.Operator);
        group.MapPost("/{name}/pause", Pause).RequireAuthorization(Policies.Admin);
        group.MapPost("/{name}/resume", Resume).RequireAuthorization(Policies.Admin);
        return app;
    }

    public static Ok<ProviderListResponse> List(ProviderStates states) => TypedResults.Ok(new ProviderListResponse(states.List()));

    /// <summary>Answers once no create can reach the provider any more from this instance (see <see cref="ProviderStates.PauseAsync"/>).</summary>
    public static async Task<Results<Ok<ProviderDto>, ProblemHttpResult, ValidationProblem>> Pause(
        string name, PauseProviderRequest? request, ProviderCatalog catalog, ProviderStates states, HttpContext http, CancellationToken cancellationToken)
    {
        if (catalog.Find(name) is not { } entry)
        {
            return UnknownProvider(name);
        }

        var reason = request?.Reason?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length > MaxReason || reason.Any(char.IsControl))
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["reason"] = [$"Say why, in 1 to {MaxReason} characters."] });
        }

        await states.PauseAsync(entry, reason, ActorName.Of(http), cancellationToken);
        return TypedResults.Ok(states.List().First(p => p.Name == entry.Name));
    }

    public static async Task<Results<Ok<ProviderDto>, ProblemHttpResult>> Resume(
        string name, ProviderCatalog catalog, ProviderStates states, HttpContext http, CancellationToken cancellationToken)
    {
        if (catalog.Find(name) is not { } entry)
        {
            return UnknownProvider(name);
        }

        await states.ResumeAsync(entry, ActorName.Of(http), cancellationToken);
        return TypedResults.Ok(states.List().First(p => p.Name == entry.Name));
    }

    private static ProblemHttpResult UnknownProvider(string name) =>
        Problems.Of(StatusCodes.Status404NotFound, ErrorCodes.ProviderNotFound, $"Provider '{name}' is not configured.");
}
