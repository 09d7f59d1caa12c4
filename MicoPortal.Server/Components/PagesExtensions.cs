namespace MicoPortal.Server.Components;

public static class PagesExtensions
{
    /// <summary>The dashboard: server-rendered shell and login pages, the WebAssembly client, and who is signed in passed to it.</summary>
    public static IServiceCollection AddPortalPages(this IServiceCollection services)
    {
        services.AddRazorComponents()
            .AddInteractiveWebAssemblyComponents()
            .AddAuthenticationStateSerialization(o => o.SerializeAllClaims = true);
        return services;
    }

    public static WebApplication MapPortalPages(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>()
            .AddInteractiveWebAssemblyRenderMode()
            .AddAdditionalAssemblies(typeof(Client._Imports).Assembly);
        return app;
    }
}
