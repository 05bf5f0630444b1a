// Overwritten at deploy time with the real API URL.
window.INSUREMALL_CONFIG = {apiBase: "/api"};
