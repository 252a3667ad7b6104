// The cart's delivery and tax, as the API shows them: where it goes (country, region, postal
// code), the ways to deliver it with their windows, the tax lines, and whether the prices
// include tax. The page computes nothing: every amount is the API's.

const COUNTRIES = [
  ["", "Choose a country"],
  ["US", "United States"],
  ["DE", "Germany"],
  ["FR", "France"],
  ["GB", "United Kingdom"],
];

// The address form's choices, filled once.
export function fillCountries(select) {
  select.replaceChildren(...COUNTRIES.map(([code, name]) => new Option(name, code)));
}

// The address as the form holds it: null when no country is chosen (the address removed).
export function formAddress(country, region, postalCode) {
  if (!country) return null;
  const address = { country };
  if (region.trim()) address.region = region.trim().toUpperCase();
  if (postalCode.trim()) address.postalCode = postalCode.trim();
  return address;
}

function days(option) {
  if (option.maxDays === 0) return "today";
  if (option.minDays === option.maxDays) return `${option.maxDays} ${option.maxDays === 1 ? "day" : "days"}`;
  return `${option.minDays}–${option.maxDays} days`;
}

// The delivery choices (radio buttons), the delivery and tax amounts and the tax lines.
export function renderDelivery(cart, element, choose) {
  const currency = cart?.currency || "";
  const address = cart?.deliveryAddress;
  document.querySelector("#delivery-options").replaceChildren(
    ...(cart ? cart.deliveryOptions : []).map((option) => {
      const radio = element("input", {
        type: "radio",
        name: "delivery",
        value: option.id,
        "aria-label": `Deliver by ${option.title}`,
      });
      radio.checked = option.id === cart.deliveryOptionId;
      radio.disabled = cart.status !== "ACTIVE";
      radio.addEventListener("change", () => choose(option.id));
      return element(
        "li",
        { class: "delivery-option", "data-option": option.id, "data-amount": option.amount },
        element("label", {}, radio, ` ${option.title}`),
        element("span", { class: "amount" }, `${option.amount} ${currency}`),
        element("span", { class: "window" }, days(option)),
      );
    }),
  );
  let delivery = "–";
  if (cart && cart.deliveryAmount !== null) delivery = `${cart.deliveryAmount} ${currency}`;
  else if (address) delivery = "Not available";
  document.querySelector("#delivery").textContent = delivery;
  let tax = cart ? "With your address" : "–";
  if (cart && cart.taxAmount !== null) {
    tax = cart.taxIncluded ? `incl. ${cart.taxAmount} ${currency}` : `${cart.taxAmount} ${currency}`;
  }
  document.querySelector("#tax").textContent = tax;
  document.querySelector("#tax-label").textContent = cart?.taxIncluded ? "Tax (included)" : "Tax";
  document.querySelector("#tax-lines").replaceChildren(
    ...(cart ? cart.taxLines : []).map((line) =>
      element(
        "li",
        { class: "tax-line", "data-rate": line.rate },
        element("span", {}, `${line.name} ${line.rate}%`),
        element("span", { class: "amount" }, `${line.amount} ${currency}`),
      ),
    ),
  );
  const form = document.querySelector("#address-form");
  form.hidden = !cart || cart.status !== "ACTIVE";
  if (cart && !form.contains(document.activeElement)) {
    document.querySelector("#country").value = address?.country || "";
    document.querySelector("#region").value = address?.region || "";
    document.querySelector("#postal-code").value = address?.postalCode || "";
  }
}
