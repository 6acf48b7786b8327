// Runs before first paint (a classic script in <head>): apply 长辈模式 without a flash.
try {
  if (localStorage.getItem("fasou.elder") === "1") document.documentElement.dataset.elder = "1";
} catch {
  /* storage unavailable: normal mode */
}
