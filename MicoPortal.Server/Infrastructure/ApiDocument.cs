using MicoPortal.Server.Auth;
using MicoPortal.Server.Providers;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace MicoPortal.Server.Infrastructure;

/// <summary>
/// The OpenAPI document of every route (<c>/openapi/v1.json</c>, built by Microsoft.AspNetCore.OpenApi from the
/// endpoints' typed results) and its interactive reference (Scalar, <c>/scalar/v1</c>). Each operation names how
/// it is authenticated: a shop's API key, the operators' sign-in cookie, or a provider's HMAC signature; every
/// operation may answer problem details. Open in Development; elsewhere for Admins only, since it maps the admin
/// surface too (shops integrate from docs/api.md).
/// </summary>
public static class ApiDocument
{
    public const string Route = "/openapi/{documentName}.json";

    public const string ShopKey = "shopApiKey";
    public const string Cookie = "cookie";
    public const string ProviderSignature = "providerSignature";

    public static IServiceCollection AddPortalOpenApi(this IServiceCollection services) => services.AddOpenApi(o =>
    {
        o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "MicoPortal API",
                Version = "v1",
                Description = "Shop, operator, provider-callback and admin routes of MicoPortal. The rules behind them are in docs/api.md.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[ShopKey] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ShopApiKeyAuthentication.HeaderName,
                Description = "A shop's API key (created by an Admin).",
            };
            document.Components.SecuritySchemes[Cookie] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Cookie,
                Name = AuthExtensions.CookieName,
                Description = "An operator's session from POST /api/v1/auth/login. Writes also need the portal's own Origin header.",
            };
            document.Components.SecuritySchemes[ProviderSignature] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ProviderCallbackHeaders.Signature,
                Description = "v1=hex(HMAC-SHA256(provider's callback secret, \"{X-Topup-Timestamp}.{raw body}\")).",
            };
            return Task.CompletedTask;
        });
        o.AddOperationTransformer((operation, context, _) =>
        {
            var schemes = SchemesOf(context.Description.ActionDescriptor.EndpointMetadata, context.Description.RelativePath ?? "");
            if (schemes.Count > 0)
            {
                operation.Security ??= [];
                foreach (var scheme in schemes)
                {
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] });
                }
            }

            // Errors are problem details with a stable code (docs/api.md): say so once for every operation.
            operation.Responses ??= new OpenApiResponses();
            operation.Responses.TryAdd("default", new OpenApiResponse
            {
                Description = "Problem details (RFC 9457) with a stable `code`: VALIDATION, UNAUTHORIZED, FORBIDDEN, RATE_LIMITED, ...",
                Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() },
            });
            return Task.CompletedTask;
        });
    });

    /// <summary>The document and the reference, open in Development and for Admins elsewhere.</summary>
    public static WebApplication MapPortalOpenApi(this WebApplication app)
    {
        var document = app.MapOpenApi(Route);
        var reference = app.MapScalarApiReference(o => o.WithTitle("MicoPortal API").WithOpenApiRoutePattern(Route));
        if (!app.Environment.IsDevelopment())
        {
            document.RequireAuthorization(Policies.Admin);
            reference.RequireAuthorization(Policies.Admin);
        }

        return app;
    }

    /// <summary>Which of the three schemes an operation takes, from its authorization policy (or its path, for callbacks).</summary>
    private static List<string> SchemesOf(IList<object> metadata, string path)
    {
        if (path.StartsWith("api/v1/provider/callbacks", StringComparison.Ordinal))
        {
            return [ProviderSignature];
        }

        if (metadata.OfType<IAllowAnonymous>().Any())
        {
            return [];
        }

        var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).ToHashSet();
        var schemes = new List<string>();
        var shopReads = policies.Contains(Policies.ShopRead) || policies.Contains(Webhooks.WebhooksApi.ReadPolicy);
        if (policies.Contains(Policies.ShopWrite) || shopReads)
        {
            schemes.Add(ShopKey);
        }

        // Shop reads also serve the signed-in dashboard; operator and admin routes take the session only.
        if (shopReads || policies.Contains(Policies.Operator) || policies.Contains(Policies.Admin))
        {
            schemes.Add(Cookie);
        }

        return schemes;
    }
}
