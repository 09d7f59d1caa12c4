using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MicoPortal.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class QueueAndFlaggedOrderIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Orders_Disputed",
                table: "Orders");

            migrationBuilder.DropIndex(
                name: "IX_Orders_Stuck",
                table: "Orders");

            migrationBuilder.CreateIndex(
                name: "IX_Orders_Attention",
                table: "Orders",
                column: "UpdatedAt",
                filter: "\"Status\" IN ('Failed', 'Reversed') OR \"Stuck\" OR \"Disputed\"");

            migrationBuilder.CreateIndex(
                name: "IX_Orders_Dispatch",
                table: "Orders",
                column: "NextCheckAt",
                filter: "\"Status\" = 'Received' AND \"CreateIssuedAt\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Orders_Disputed",
                table: "Orders",
                column: "Disputed",
                filter: "\"Disputed\"");

            migrationBuilder.CreateIndex(
                name: "IX_Orders_Stuck",
                table: "Orders",
                column: "Stuck",
                filter: "\"Stuck\"");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Orders_Attention",
                table: "Orders");

            migrationBuilder.DropIndex(
                name: "IX_Orders_Dispatch",
                table: "Orders");

            migrationBuilder.DropIndex(
                name: "IX_Orders_Disputed",
                table: "Orders");

            migrationBuilder.DropIndex(
                name: "IX_Orders_Stuck",
                table: "Orders");

            migrationBuilder.CreateIndex(
                name: "IX_Orders_Disputed",
                table: "Orders",
                column: "Disputed");

            migrationBuilder.CreateIndex(
                name: "IX_Orders_Stuck",
                table: "Orders",
                column: "Stuck");
        }
    }
}
